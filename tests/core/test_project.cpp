// SPDX-License-Identifier: GPL-3.0-or-later
// Project: manifest round trip, label rules, stable splits, trash/restore, repairs on open, and
// loadFeatureDataset (feature cache, one-class refusal).
#include "dw/core/atomic_file.h"
#include "dw/core/dataset.h"
#include "dw/core/names.h"
#include "dw/core/project.h"
#include "dw/core/project_lock.h"

#include <unistd.h>

#include <QtTest/QtTest>

#include <cmath>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace {
std::vector<int16_t> tone(double hz, int n = 16000, double amp = 8000.0)
{
    std::vector<int16_t> s(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i)
        s[size_t(i)] = int16_t(amp * std::sin(2 * 3.14159265358979 * hz * i / 16000.0));
    return s;
}

bool contains(const std::vector<std::string>& lines, const std::string& what)
{
    for (const auto& l : lines)
        if (l.find(what) != std::string::npos)
            return true;
    return false;
}
} // namespace

class TestProject : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;
    fs::path dir(const char* name) const { return fs::path(m_tmp.path().toStdString()) / name; }

private Q_SLOTS:
    void createAndReopen()
    {
        const auto root = dir("roundtrip");
        auto p = dw::Project::create(root, {"yes", "no"});
        QVERIFY2(p.ok(), p.ok() ? "" : p.error().text().c_str());
        auto a = p->addClip("yes", tone(440), "test", "speaker1");
        auto b = p->addClip("no", tone(880), "test");
        auto c = p->addClip("no", tone(660), "imported", {}, "my clip.wav");
        QVERIFY(a.ok() && b.ok() && c.ok());
        QCOMPARE(a->id, std::string("yes_00000"));
        QCOMPARE(c->id, std::string("my_clip.wav")); // sanitised hint
        QVERIFY(fs::exists(root / a->path));
        p->setProvenanceJson(R"({"seed": 7})");
        QVERIFY(p->save().ok());

        auto q = dw::Project::open(root);
        QVERIFY2(q.ok(), q.ok() ? "" : q.error().text().c_str());
        QVERIFY(q->openReport().empty());
        QCOMPARE(q->labels(), (std::vector<std::string>{"yes", "no"}));
        QCOMPARE(q->clips().size(), size_t(3));
        QCOMPARE(q->clips("no").size(), size_t(2));
        QCOMPARE(q->findClip(a->id)->split, a->split);
        QCOMPARE(q->findClip(a->id)->source, std::string("test"));
        QVERIFY(q->provenanceJson().find("\"seed\": 7") != std::string::npos);
        auto audio = dw::readWavPcm16(q->clipPath(*q->findClip(b->id)));
        QVERIFY(audio.ok());
        QCOMPARE(audio->samples, tone(880));
        QCOMPARE(q->counts().at("no")[0] + q->counts().at("no")[1] + q->counts().at("no")[2], 2);
    }

    void badLabels_data()
    {
        QTest::addColumn<QString>("label");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << ""
                               << "empty";
        QTest::newRow("slash") << "a/b"
                               << "path separator";
        QTest::newRow("backslash") << "a\\b"
                                   << "path separator";
        QTest::newRow("dotdot") << ".."
                                << "not allowed";
        QTest::newRow("space") << "two words"
                               << "space";
        QTest::newRow("long") << QString(65, 'x') << "longer than 64";
    }
    void badLabels()
    {
        QFETCH(QString, label);
        QFETCH(QString, message);
        auto p = dw::Project::create(dir("badlabel"), {"ok", label.toStdString()});
        QVERIFY(!p.ok());
        QVERIFY2(p.error().message.find(message.toStdString()) != std::string::npos,
                 p.error().message.c_str());
        QVERIFY(!p.error().hint.empty());
        QVERIFY(!fs::exists(dir("badlabel") / "project.json"));
    }

    void duplicateLabel()
    {
        auto p = dw::Project::create(dir("dup"), {"yes", "yes"});
        QVERIFY(!p.ok());
        QVERIFY(p.error().message.find("twice") != std::string::npos);
        auto q = dw::Project::create(dir("dup2"), {"yes"});
        QVERIFY(q.ok());
        auto s = q->addLabel("yes");
        QVERIFY(!s.ok());
        QVERIFY(s.error().message.find("already exists") != std::string::npos);
        QVERIFY(!dw::Project::create(dir("dup2"), {"no"}).ok()); // already a project
    }

    void openErrors()
    {
        auto missing = dw::Project::open(dir("nowhere"));
        QVERIFY(!missing.ok());
        QVERIFY(missing.error().message.find("does not exist") != std::string::npos);

        fs::create_directories(dir("plain"));
        auto plain = dw::Project::open(dir("plain"));
        QVERIFY(!plain.ok());
        QVERIFY(plain.error().message.find("not a Dendrite project") != std::string::npos);

        fs::create_directories(dir("garbage"));
        std::ofstream(dir("garbage") / "project.json") << "{ this is not json";
        auto bad = dw::Project::open(dir("garbage"));
        QVERIFY(!bad.ok());
        QVERIFY(bad.error().message.find("cannot read") != std::string::npos);
        QVERIFY(bad.error().hint.find("backup") != std::string::npos);
        QCOMPARE(bad.error().code, 3);
    }

    void repairsOnOpen()
    {
        const auto root = dir("repair");
        auto p = dw::Project::create(root, {"yes", "no"});
        QVERIFY(p.ok());
        auto a = p->addClip("yes", tone(440), "t");
        auto b = p->addClip("no", tone(550), "t");
        QVERIFY(a.ok() && b.ok());
        fs::remove(root / a->path); // listed, missing
        QVERIFY(dw::writeWavPcm16(root / "clips/no/extra_1.wav", {16000, tone(300)}).ok());
        QVERIFY(dw::writeWavPcm16(root / "clips/maybe/m1.wav", {16000, tone(330)}).ok());
        std::ofstream(root / "clips/no/junk.wav") << "not audio";  // unreadable, unlisted
        std::ofstream(root / "project.json.tmp-dw1234") << "half"; // stale temporary
        std::ofstream(root / "clips/yes/x.wav.tmp-dwabc") << "half";

        // A temporary whose writer is alive (this process) is never removed, lock or not.
        const std::string live = "y.wav.tmp-dw-" + std::to_string(::getpid()) + "-beef";
        std::ofstream(root / "clips/yes" / live) << "being written";
        // A reader (no lock) changes nothing: the stale temporaries are only reported.
        {
            auto reader = dw::Project::open(root);
            QVERIFY(reader.ok());
            QVERIFY(contains(reader->openReport(), "found 2 stale temporary"));
            QVERIFY(fs::exists(root / "project.json.tmp-dw1234"));
            QVERIFY(fs::exists(root / "clips/yes/x.wav.tmp-dwabc"));
        }
        auto lock = dw::ProjectLock::acquire(root);
        QVERIFY(lock.ok());
        auto q = dw::Project::open(root, &*lock);
        QVERIFY2(q.ok(), q.ok() ? "" : q.error().text().c_str());
        QVERIFY(fs::exists(root / "clips/yes" / live));
        fs::remove(root / "clips/yes" / live);
        const auto& r = q->openReport();
        QVERIFY(contains(r, "is missing"));
        QVERIFY(contains(r, "extra_1.wav' was not listed: adopted"));
        QVERIFY(contains(r, "label 'maybe' found"));
        QVERIFY(contains(r, "junk.wav' is not listed and cannot be read"));
        QVERIFY(contains(r, "removed 2 stale temporary"));
        QVERIFY(!q->findClip(a->id));
        QVERIFY(q->findClip("extra_1"));
        QVERIFY(q->findClip("m1"));
        QVERIFY(fs::exists(root / "clips/no/junk.wav")); // never deleted
        QVERIFY(!fs::exists(root / "project.json.tmp-dw1234"));
        QVERIFY(q->save().ok());
        auto again = dw::Project::open(root);
        QVERIFY(again.ok());
        QCOMPARE(again->openReport().size(), size_t(1)); // only junk.wav, still unreadable
    }

    void splitIsStableAndBalanced()
    {
        int n[3] = {0, 0, 0};
        for (int i = 0; i < 20000; ++i)
            n[int(dw::splitForIdentity("speaker" + std::to_string(i)))]++;
        QVERIFY2(std::abs(n[0] - 16000) < 400, std::to_string(n[0]).c_str());
        QVERIFY(std::abs(n[1] - 2000) < 250);
        QVERIFY(std::abs(n[2] - 2000) < 250);
        QCOMPARE(dw::splitForIdentity("abc"), dw::splitForIdentity("abc"));
        QCOMPARE(dw::splitForIdentity("abc", 0, 0), dw::Split::Train);
        QCOMPARE(dw::splitForIdentity("abc", 0, 100), dw::Split::Test);

        // Adding clips never moves old ones.
        const auto root = dir("stable");
        auto p = dw::Project::create(root, {"a", "b"});
        QVERIFY(p.ok());
        p->setAutoSave(false);
        for (int i = 0; i < 40; ++i)
            QVERIFY(p->addClip(i % 2 ? "a" : "b", tone(200 + i, 800), "t").ok());
        QVERIFY(p->save().ok());
        std::map<std::string, dw::Split> before;
        for (const auto& c : p->clips())
            before[c.id] = c.split;
        for (int i = 0; i < 40; ++i)
            QVERIFY(p->addClip(i % 2 ? "b" : "a", tone(300 + i, 800), "t").ok());
        QVERIFY(p->save().ok());
        auto q = dw::Project::open(root);
        QVERIFY(q.ok());
        QCOMPARE(q->clips().size(), size_t(80));
        for (const auto& [id, s] : before)
            QCOMPARE(q->findClip(id)->split, s);
    }

    // Names that are not UTF-8 (issue 18): labels refused, sources stored escaped, reversibly.
    void namesThatAreNotUtf8()
    {
        QVERIFY(dw::isValidUtf8("yes"));
        QVERIFY(dw::isValidUtf8("gr\xc3\xbc\xc3\x9f")); // grüß
        QVERIFY(!dw::isValidUtf8("x\xffy"));
        QVERIFY(!dw::isValidUtf8("\xc0\xaf"));     // overlong '/'
        QVERIFY(!dw::isValidUtf8("\xed\xa0\x80")); // surrogate
        QVERIFY(!dw::isValidUtf8("\xe2\x82"));     // truncated
        const std::string raw = "a\\b\xff\xfe\xc3\xa9";
        const std::string esc = dw::escapeInvalidUtf8(raw);
        QCOMPARE(esc, std::string("a\\\\b\\xFF\\xFE\xc3\xa9"));
        QVERIFY(dw::isValidUtf8(esc));
        QCOMPARE(dw::unescapeBytes(esc).value(), raw);
        QCOMPARE(dw::escapeInvalidUtf8("plain\\path"), std::string("plain\\path"));

        auto bad = dw::Project::validateLabel("x\xffy");
        QVERIFY(!bad.ok());
        QVERIFY2(bad.error().message.find("x\\xFFy' is not valid UTF-8") != std::string::npos,
                 bad.error().message.c_str());
        QVERIFY(!bad.error().hint.empty());

        const auto root = dir("utf8");
        auto p = dw::Project::create(root, {"yes"});
        QVERIFY(p.ok());
        const std::string source = "/data/caf\xe9/\xff.wav"; // Latin-1 bytes from a disk
        auto c = p->addClip("yes", tone(440), source);
        QVERIFY(c.ok());
        QVERIFY(!p->addClip("x\xffy", tone(440), "t").ok());
        auto text = dw::readFile(root / "project.json");
        QVERIFY(text.ok() && dw::isValidUtf8(*text));
        auto q = dw::Project::open(root);
        QVERIFY(q.ok());
        QCOMPARE(q->findClip(c->id)->source, source);
    }

    void trashAndRestore()
    {
        const auto root = dir("trash");
        auto p = dw::Project::create(root, {"yes", "no"});
        QVERIFY(p.ok());
        auto a = p->addClip("yes", tone(440), "t");
        QVERIFY(a.ok());
        QVERIFY(p->relabel(a->id, "no").ok());
        const auto moved = *p->findClip(a->id);
        QCOMPARE(moved.path, "clips/no/" + a->id + ".wav");
        QVERIFY(fs::exists(root / moved.path) && !fs::exists(root / a->path));

        QVERIFY(p->trashClip(a->id).ok());
        QVERIFY(!p->findClip(a->id));
        QVERIFY(fs::exists(root / "trash" / (a->id + ".wav")));
        {
            auto q = dw::Project::open(root);
            QVERIFY(q.ok());
            QCOMPARE(q->trashedClips().size(), size_t(1));
            QVERIFY(q->restoreClip(a->id).ok());
        }
        auto q = dw::Project::open(root);
        QVERIFY(q.ok());
        QVERIFY(q->findClip(a->id));
        QCOMPARE(q->findClip(a->id)->label, std::string("no"));
        auto audio = dw::readWavPcm16(q->clipPath(*q->findClip(a->id)));
        QVERIFY(audio.ok());
        QCOMPARE(audio->samples, tone(440));
        QVERIFY(!q->restoreClip("nope").ok());
        QVERIFY(!q->trashClip("nope").ok());
    }

    void datasetNeedsTwoClasses()
    {
        const auto root = dir("oneclass");
        auto p = dw::Project::create(root, {"yes", "no"});
        QVERIFY(p.ok());
        for (int i = 0; i < 12; ++i)
            QVERIFY(p->addClip("yes", tone(300 + 10 * i), "t").ok());
        auto ds = dw::loadFeatureDataset(*p, dw::FeatureConfig{}, 2);
        QVERIFY(!ds.ok());
        QVERIFY2(ds.error().message.find("at least two classes") != std::string::npos,
                 ds.error().message.c_str());
        QVERIFY(ds.error().hint.find("dendrite import") != std::string::npos);
    }

    void datasetAndCache()
    {
        const auto root = dir("dataset");
        auto p = dw::Project::create(root, {"low", "high", "empty"});
        QVERIFY(p.ok());
        p->setAutoSave(false);
        for (int i = 0; i < 30; ++i) {
            QVERIFY(p->addClip("low", tone(200 + 5 * i), "t").ok());
            QVERIFY(p->addClip("high", tone(3000 + 20 * i), "t").ok());
        }
        // Make sure both train and validation have clips whatever the hash says.
        QVERIFY(p->setSplit(p->clips()[0].id, dw::Split::Validation).ok());
        QVERIFY(p->setSplit(p->clips()[1].id, dw::Split::Train).ok());
        QVERIFY(p->save().ok());
        int calls = 0;
        auto ds = dw::loadFeatureDataset(*p, dw::FeatureConfig{}, 2, [&](int d, int t) {
            ++calls;
            QVERIFY(d <= t);
        });
        QVERIFY2(ds.ok(), ds.ok() ? "" : ds.error().text().c_str());
        QVERIFY(calls > 0);
        QCOMPARE(ds->labels, (std::vector<std::string>{"low", "high"})); // empty label dropped
        QCOMPARE(ds->frames, 50);
        QCOMPARE(ds->coeffs, 13);
        QCOMPARE(ds->size(), size_t(60));
        QCOMPARE(ds->x.size(), size_t(60 * 650));
        QCOMPARE(ds->count(dw::Split::Train) + ds->count(dw::Split::Validation) +
                     ds->count(dw::Split::Test),
                 size_t(60));
        const auto cacheFile = root / "cache" / ("features-" + dw::FeatureConfig{}.hash() + ".bin");
        QVERIFY(fs::exists(cacheFile));

        // Second load: identical numbers from the cache, also with one thread.
        auto again = dw::loadFeatureDataset(*p, dw::FeatureConfig{}, 1);
        QVERIFY(again.ok());
        QCOMPARE(again->x, ds->x);
        QCOMPARE(again->y, ds->y);
        // A damaged cache is ignored, not an error.
        std::ofstream(cacheFile, std::ios::trunc) << "DWFEAT1\ngarbage";
        auto third = dw::loadFeatureDataset(*p, dw::FeatureConfig{}, 2);
        QVERIFY(third.ok());
        QCOMPARE(third->x, ds->x);

        // Another feature configuration has its own cache file.
        dw::FeatureConfig mfe;
        QVERIFY(mfe.set("kind", "mfe").ok());
        auto other = dw::loadFeatureDataset(*p, mfe, 2);
        QVERIFY(other.ok());
        QCOMPARE(other->coeffs, 32);
        QVERIFY(fs::exists(root / "cache" / ("features-" + mfe.hash() + ".bin")));

        // A bad configuration is a clear error.
        dw::FeatureConfig bad;
        bad.fft_length = 300;
        QVERIFY(!dw::loadFeatureDataset(*p, bad, 1).ok());
    }
};

QTEST_GUILESS_MAIN(TestProject)
#include "test_project.moc"
