// SPDX-License-Identifier: GPL-3.0-or-later
// The demo dataset: structure (12 labels, N clips each, 1 s 16 kHz clips, provenance) and
// determinism (same seed -> byte-identical clips, whatever the number of jobs). Small N: fast.
#include "dw/audio/demo_data.h"
#include "dw/core/atomic_file.h"
#include "dw/core/project.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtTest/QtTest>

#include <filesystem>

namespace fs = std::filesystem;

class TestDemoData : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;
    fs::path dir(const char* n) const { return fs::path(m_tmp.path().toStdString()) / n; }

    static bool haveEspeak() { return std::system("espeak-ng --version >/dev/null 2>&1") == 0; }

private Q_SLOTS:
    void structureAndDeterminism()
    {
        if (!haveEspeak())
            QSKIP("espeak-ng is not installed");
        dw::audio::DemoDataOptions opt;
        opt.out = dir("a");
        opt.seed = 7;
        opt.perClass = 3;
        opt.jobs = 2;
        int calls = 0, last = 0;
        auto r = dw::audio::createDemoProject(opt, [&](int d, int t) {
            ++calls;
            QCOMPARE(t, 36);
            QVERIFY(d > last);
            last = d;
        });
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().text().c_str());
        QCOMPARE(r->clips, 36);
        QCOMPARE(calls, 36);
        QVERIFY(!r->espeakVersion.empty());
        QVERIFY(r->voices.size() >= 5);

        auto p = dw::Project::open(opt.out);
        QVERIFY(p.ok());
        QVERIFY(p->openReport().empty());
        QCOMPARE(p->labels(), dw::audio::demoLabels());
        QVERIFY(dw::audio::demoUnknownWords().size() >= 30);
        for (const auto& l : dw::audio::demoLabels())
            QCOMPARE(p->clips(l).size(), size_t(3));
        for (const auto& c : p->clips()) {
            auto a = dw::readWavPcm16(p->clipPath(c));
            QVERIFY2(a.ok(), c.id.c_str());
            QCOMPARE(a->sampleRate, 16000);
            QCOMPARE(a->samples.size(), size_t(16000));
            int peak = 0;
            for (auto s : a->samples)
                peak = std::max(peak, std::abs(int(s)));
            QVERIFY2(peak > 300, c.id.c_str()); // not silent
            QVERIFY(!c.source.empty());
        }
        const auto& prov = p->provenanceJson();
        for (const char* key : {"\"seed\": 7", "espeak_ng_version", "snr_db", "espeak_ng_voices",
                                "unknown_words", "noise_types"})
            QVERIFY2(prov.find(key) != std::string::npos, key);

        // Same seed, one job: byte-identical clips.
        opt.out = dir("b");
        opt.jobs = 1;
        QVERIFY(dw::audio::createDemoProject(opt).ok());
        auto q = dw::Project::open(opt.out);
        QVERIFY(q.ok());
        QCOMPARE(q->clips().size(), p->clips().size());
        for (size_t i = 0; i < p->clips().size(); ++i) {
            QCOMPARE(q->clips()[i].id, p->clips()[i].id);
            QCOMPARE(q->clips()[i].split, p->clips()[i].split);
            QVERIFY(*dw::readFile(q->clipPath(q->clips()[i])) ==
                    *dw::readFile(p->clipPath(p->clips()[i])));
        }

        // Another seed: other clips.
        opt.out = dir("c");
        opt.seed = 8;
        opt.perClass = 1;
        QVERIFY(dw::audio::createDemoProject(opt).ok());
        auto c = dw::Project::open(opt.out);
        QVERIFY(c.ok());
        QVERIFY(*dw::readFile(c->clipPath(c->clips()[0])) !=
                *dw::readFile(p->clipPath(p->clips()[0])));
    }

    void refusals()
    {
        dw::audio::DemoDataOptions opt;
        opt.out = dir("bad");
        opt.perClass = 0;
        auto r = dw::audio::createDemoProject(opt);
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.find("per-class") != std::string::npos);
        if (!haveEspeak())
            return;
        // An existing project is never overwritten.
        auto p = dw::Project::create(dir("exists"), {"x"});
        QVERIFY(p.ok());
        opt.out = dir("exists");
        opt.perClass = 1;
        r = dw::audio::createDemoProject(opt);
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.find("already a project") != std::string::npos);
    }

    // A project for the user's keywords (issue 20): keywords + unknown + noise, the phrase spoken
    // whole, no keyword ever spoken as `unknown`, the keywords in the provenance.
    void keywordProject()
    {
        if (!haveEspeak())
            QSKIP("espeak-ng is not installed");
        auto kw = dw::audio::parseKeywords(" Hello   World , yes");
        QVERIFY(kw.ok());
        QCOMPARE(kw->size(), size_t(2));
        QCOMPARE((*kw)[0], std::string("hello world"));
        QCOMPARE(dw::audio::keywordLabel((*kw)[0]), std::string("hello_world"));
        dw::audio::DemoDataOptions opt;
        opt.out = dir("kw");
        opt.perClass = 4;
        opt.keywords = *kw;
        auto r = dw::audio::createDemoProject(opt);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().text().c_str());
        QCOMPARE(r->clips, 16);
        auto p = dw::Project::open(opt.out);
        QVERIFY(p.ok());
        QCOMPARE(p->labels(), (std::vector<std::string>{"hello_world", "yes", "unknown", "noise"}));
        int unknown = 0;
        for (const auto& c : p->clips()) {
            if (c.label == "hello_world")
                QVERIFY2(c.source.find("\"hello world") != std::string::npos, c.source.c_str());
            if (c.label == "unknown") {
                ++unknown;
                QVERIFY2(c.source.find("\"yes") == std::string::npos &&
                             c.source.find("\"hello world") == std::string::npos,
                         c.source.c_str());
            }
        }
        QCOMPARE(unknown, 4);
        const auto prov =
            QJsonDocument::fromJson(QByteArray::fromStdString(p->provenanceJson())).object();
        QCOMPARE(prov["keywords"].toArray(), (QJsonArray{"hello world", "yes"}));
    }

    void keywordRefusals_data()
    {
        QTest::addColumn<QString>("list");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << ""
                               << "no keyword given";
        QTest::newRow("only commas") << " , ,"
                                     << "no keyword given";
        QTest::newRow("empty between") << "on,,off"
                                       << "an empty keyword";
        QTest::newRow("digit") << "hello, 5 stars"
                               << "holds '5'";
        QTest::newRow("not ASCII") << "caf\u00e9"
                                   << "cannot be trusted to speak";
        QTest::newRow("punctuation") << "stop!"
                                     << "holds '!'";
        QTest::newRow("reserved") << "noise"
                                  << "reserved label";
        QTest::newRow("twice") << "on, ON"
                               << "given twice";
        QTest::newRow("hyphen only") << "-"
                                     << "has no letters";
        QTest::newRow("too many") << "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u"
                                  << "more than 20";
    }

    void keywordRefusals()
    {
        QFETCH(QString, list);
        QFETCH(QString, message);
        auto r = dw::audio::parseKeywords(list.toStdString());
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.find(message.toStdString()) != std::string::npos,
                 r.error().message.c_str());
        QVERIFY(!r.error().hint.empty());
        QCOMPARE(r.error().code, 2);
    }
};

QTEST_GUILESS_MAIN(TestDemoData)
#include "test_demo_data.moc"
