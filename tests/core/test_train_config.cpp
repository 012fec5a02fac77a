// SPDX-License-Identifier: GPL-3.0-or-later
// TrainConfig: every knob settable by name, bad values and unknown names are errors naming the
// knob, JSON round-trips.
#include "dw/core/train_config.h"

#include <QtTest/QtTest>

using dw::TrainConfig;

class TestTrainConfig : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void goodValues_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("value");
        QTest::newRow("mode") << "mode"
                              << "cc";
        QTest::newRow("perforate") << "perforate"
                                   << "all";
        QTest::newRow("activation") << "dendrite_activation"
                                    << "tanh";
        QTest::newRow("thresholds") << "improvement_thresholds"
                                    << "[0]";
        QTest::newRow("thresholds csv") << "improvement_thresholds"
                                        << "0.01,0.001";
        QTest::newRow("unlimited") << "max_dendrites"
                                   << "unlimited";
        QTest::newRow("cap_at_n") << "cap_at_n"
                                  << "true";
        QTest::newRow("width") << "width"
                               << "0.25";
        QTest::newRow("growth") << "growth_mode"
                                << "5";
        QTest::newRow("feature knob") << "num_filters"
                                      << "40";
        QTest::newRow("n_patience") << "n_patience"
                                    << "25";
        QTest::newRow("small n_patience, auto sched") << "n_patience"
                                                      << "2";
        QTest::newRow("sched_patience") << "sched_patience"
                                        << "9";
        QTest::newRow("sched_patience auto") << "sched_patience"
                                             << "auto";
        QTest::newRow("sched_factor") << "sched_factor"
                                      << "0.5";
        QTest::newRow("graph mode") << "dendrite_graph_mode"
                                    << "off";
        QTest::newRow("lr guard") << "lr_lowered_before_giving_up"
                                  << "false";
        QTest::newRow("max_norm") << "max_norm"
                                  << "2";
        QTest::newRow("max_norm off") << "max_norm"
                                      << "0";
        QTest::newRow("block") << "model"
                               << "block";
    }
    void goodValues()
    {
        QFETCH(QString, name);
        QFETCH(QString, value);
        TrainConfig c;
        auto s = c.set(name.toStdString(), value.toStdString());
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().text().c_str());
        QVERIFY(c.validate().ok());
    }

    void badValues_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("value");
        QTest::newRow("negative patience") << "n_patience"
                                           << "-1";
        QTest::newRow("zero p_patience") << "p_patience"
                                         << "0";
        QTest::newRow("unknown activation") << "dendrite_activation"
                                            << "softplus";
        QTest::newRow("negative max_dendrites") << "max_dendrites"
                                                << "-2";
        QTest::newRow("mode") << "mode"
                              << "perforated";
        QTest::newRow("perforate") << "perforate"
                                   << "conv";
        QTest::newRow("lr text") << "lr"
                                 << "fast";
        QTest::newRow("lr zero") << "lr"
                                 << "0";
        QTest::newRow("lr nan") << "lr"
                                << "nan";
        QTest::newRow("int trailing") << "batch_size"
                                      << "32x";
        QTest::newRow("dropout") << "dropout"
                                 << "1.5";
        QTest::newRow("growth") << "growth_mode"
                                << "6";
        QTest::newRow("thresholds") << "improvement_thresholds"
                                    << "[0.1, x]";
        QTest::newRow("thresholds range") << "improvement_thresholds"
                                          << "[1.5]";
        QTest::newRow("bool") << "cap_at_n"
                              << "maybe";
        QTest::newRow("model") << "model"
                               << "resnet";
        QTest::newRow("init") << "init_multiplier"
                              << "-0.1";
        QTest::newRow("sched_factor > 1") << "sched_factor"
                                          << "1.5";
        QTest::newRow("sched_factor 1") << "sched_factor"
                                        << "1";
        QTest::newRow("sched_factor 0") << "sched_factor"
                                        << "0";
        QTest::newRow("sched_patience negative") << "sched_patience"
                                                 << "-3";
        QTest::newRow("max_norm negative") << "max_norm"
                                           << "-1";
        QTest::newRow("graph mode") << "dendrite_graph_mode"
                                    << "maybe";
        QTest::newRow("lr guard") << "lr_lowered_before_giving_up"
                                  << "2";
    }

    // The messages of the bad knobs: the knob named, its allowed values in the hint.
    void badKnobMessages_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("hint");
        QTest::newRow("sched_factor") << "sched_factor"
                                      << "1.5"
                                      << "between 0 and 1";
        QTest::newRow("max_norm") << "max_norm"
                                  << "-1"
                                  << ">= 0";
        QTest::newRow("graph mode") << "dendrite_graph_mode"
                                    << "maybe"
                                    << "true or false";
    }
    void badKnobMessages()
    {
        QFETCH(QString, name);
        QFETCH(QString, value);
        QFETCH(QString, hint);
        TrainConfig c;
        auto s = c.set(name.toStdString(), value.toStdString());
        QVERIFY(!s.ok());
        const QString quoted = "'" + name + "'";
        QVERIFY2(s.error().message.find(quoted.toStdString()) != std::string::npos,
                 s.error().message.c_str());
        QVERIFY2(s.error().hint.find(hint.toStdString()) != std::string::npos,
                 s.error().hint.c_str());
    }

    // sched_patience must stay below n_patience (spec section 5): the scheduler has to lower the
    // rate before the tracker judges a cycle. auto follows a small n_patience.
    void schedPatienceBelowNPatience()
    {
        TrainConfig c;
        QCOMPARE(c.schedPatience(), 5);
        QVERIFY(c.set("sched_patience", "10").ok()); // one knob alone is fine...
        auto s = c.validate();                       // ...the pair is not
        QVERIFY(!s.ok());
        QVERIFY2(s.error().message.find("sched_patience") != std::string::npos &&
                     s.error().message.find("n_patience") != std::string::npos,
                 s.error().message.c_str());
        QVERIFY(s.error().hint.find("0 to 9") != std::string::npos);
        auto j = TrainConfig::fromJson("{\"sched_patience\": 10, \"n_patience\": 10}");
        QVERIFY(!j.ok());
        TrainConfig d;
        QVERIFY(d.set("n_patience", "3").ok());
        QVERIFY(d.validate().ok());
        QCOMPARE(d.schedPatience(), 2);
        QVERIFY(d.set("n_patience", "1").ok());
        QCOMPARE(d.schedPatience(), 0);
        // The resolved value is what a run records, and it reads back.
        auto back = TrainConfig::fromJson(d.toJson());
        QVERIFY(back.ok());
        QCOMPARE(back->schedPatience(), 0);
    }

    // max_norm's default follows the model: 1 for the block's 2-D networks, 0 otherwise.
    void maxNormFollowsModel()
    {
        TrainConfig c;
        QCOMPARE(c.maxNorm(), 0.0);
        QVERIFY(c.set("model", "ei2d").ok());
        QCOMPARE(c.maxNorm(), 1.0);
        QVERIFY(c.set("model", "block").ok());
        QCOMPARE(c.maxNorm(), 1.0);
        QVERIFY(c.set("max_norm", "0").ok());
        QCOMPARE(c.maxNorm(), 0.0);
        QVERIFY(c.set("max_norm", "auto").ok());
        QCOMPARE(c.maxNorm(), 1.0);
        QCOMPARE(TrainConfig{}.epochs_max, 1000);
        QCOMPARE(TrainConfig{}.sched_factor, 0.1);
    }

    // input_noise's default follows the model in every front end (it lived in the CLI only, so
    // GUI and sweep trials trained ei2d without the tutorial's noise 0.2).
    void inputNoiseFollowsModel()
    {
        TrainConfig c;
        QCOMPARE(c.inputNoise(), 0.0);
        QVERIFY(c.set("model", "ei2d").ok());
        QCOMPARE(c.inputNoise(), 0.2);
        QVERIFY(c.set("input_noise", "0").ok());
        QCOMPARE(c.inputNoise(), 0.0);
        QVERIFY(c.set("input_noise", "auto").ok());
        auto back = TrainConfig::fromJson(c.toJson());
        QVERIFY(back.ok());
        QCOMPARE(back->inputNoise(), 0.2); // "auto" survives the round trip
        QVERIFY(back->set("model", "block").ok());
        QCOMPARE(back->inputNoise(), 0.0);
        QVERIFY(!c.set("input_noise", "-0.1").ok());
    }
    void badValues()
    {
        QFETCH(QString, name);
        QFETCH(QString, value);
        TrainConfig c;
        std::string before = c.toJson();
        auto s = c.set(name.toStdString(), value.toStdString());
        QVERIFY(!s.ok());
        QVERIFY2(s.error().message.find(name.toStdString()) != std::string::npos,
                 s.error().message.c_str());
        QVERIFY(!s.error().hint.empty());
        QCOMPARE(c.toJson(), before); // a failed set changes nothing
    }

    void unknownKnob()
    {
        TrainConfig c;
        auto s = c.set("n_patiense", "10");
        QVERIFY(!s.ok());
        QVERIFY(s.error().message.find("n_patiense") != std::string::npos);
        QVERIFY(s.error().hint.find("n_patience") != std::string::npos); // lists the names
    }

    void jsonRoundTrip()
    {
        TrainConfig c;
        QVERIFY(c.set("mode", "gd").ok());
        QVERIFY(c.set("improvement_thresholds", "[0]").ok());
        QVERIFY(c.set("init_multiplier", "0.1").ok());
        QVERIFY(c.set("cap_at_n", "1").ok());
        QVERIFY(c.set("seed", "42").ok());
        auto back = TrainConfig::fromJson(c.toJson());
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().text().c_str());
        QCOMPARE(QString::fromStdString(back->toJson()), QString::fromStdString(c.toJson()));
        QCOMPARE(back->mode, std::string("gd"));
        QCOMPARE(back->improvement_thresholds, std::vector<double>{0.0});
        QCOMPARE(back->seed, 42);
        // Every knob is in the JSON.
        for (const auto& k : TrainConfig::knobNames())
            QVERIFY2(c.toJson().find("\"" + k + "\"") != std::string::npos, k.c_str());
    }

    void jsonErrors()
    {
        QVERIFY(!TrainConfig::fromJson("not json").ok());
        QVERIFY(!TrainConfig::fromJson("{\"unknown_knob\": 3}").ok());
        QVERIFY(!TrainConfig::fromJson("{\"n_patience\": -3}").ok());
        auto ok = TrainConfig::fromJson("{\"mode\": \"cc\", \"n_patience\": 25}");
        QVERIFY(ok.ok());
        QCOMPARE(ok->n_patience, 25);
        QVERIFY(ok->schedPatience() < ok->n_patience);
    }
};

QTEST_APPLESS_MAIN(TestTrainConfig)
#include "test_train_config.moc"
