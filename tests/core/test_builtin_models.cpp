// The built-in teaching models (resources/builtin, trained by tools/train_induction.py and
// tools/train_shapes.py) and the `builtin:NAME` model references. The properties each model
// promises are measured here with the engine on fresh seeded inputs, never training data.
#include <QImage>
#include <QPainter>
#include <QPolygonF>
#include <QtTest>

#include <array>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <random>

#include "Error.h"
#include "GoldenFixtures.h"
#include "analysis/AttentionQuery.h"
#include "model/Checkpoint.h"
#include "model/ModelReference.h"
#include "vision/ImagePreprocessor.h"

using namespace attnscope;

namespace {

constexpr int kImage = 64;
constexpr int kPatch = 8;
constexpr int kGrid = kImage / kPatch;

// One image of the shapes task, drawn as tools/train_shapes.py draws its training data:
// a shape 16-32 px across entirely inside the image, a fill colour that differs from the
// solid background by >= 80 in some channel, anti-aliased edges, Gaussian noise sigma 20.
struct ShapeImage {
    RgbImage image;
    int label = 0;
    std::array<bool, kGrid * kGrid> patchHasShape{};
};

QPolygonF shapePolygon(int kind, double x0, double y0, double s) {
    const double cx = x0 + s / 2, cy = y0 + s / 2;
    if (kind == 2) return QPolygonF({QPointF(cx, y0), QPointF(x0 + s, y0 + s), QPointF(x0, y0 + s)});
    const double t = s / 6;  // cross: arms s long, s/3 thick
    return QPolygonF({QPointF(cx - t, y0), QPointF(cx + t, y0), QPointF(cx + t, cy - t), QPointF(x0 + s, cy - t),
                      QPointF(x0 + s, cy + t), QPointF(cx + t, cy + t), QPointF(cx + t, y0 + s), QPointF(cx - t, y0 + s),
                      QPointF(cx - t, cy + t), QPointF(x0, cy + t), QPointF(x0, cy - t), QPointF(cx - t, cy - t)});
}

void drawShape(QPainter& p, int kind, double x0, double y0, double s) {
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    const QRectF box(x0, y0, s, s);
    if (kind == 0) p.drawEllipse(box);
    else if (kind == 1) p.drawRect(box);
    else p.drawPolygon(shapePolygon(kind, x0, y0, s));
}

ShapeImage makeShapeImage(std::mt19937& rng, int kind) {
    std::uniform_real_distribution<double> size(16.0, 32.0), unit(0.0, 1.0);
    std::uniform_int_distribution<int> channel(0, 255);
    const double s = size(rng);
    const double x0 = unit(rng) * (kImage - s), y0 = unit(rng) * (kImage - s);
    std::array<int, 3> bg{}, fg{};
    for (int& c : bg) c = channel(rng);
    for (;;) {
        for (int& c : fg) c = channel(rng);
        int diff = 0;
        for (int c = 0; c < 3; ++c) diff = std::max(diff, std::abs(fg[c] - bg[c]));
        if (diff >= 80) break;
    }

    QImage img(kImage, kImage, QImage::Format_RGB888);
    img.fill(QColor(bg[0], bg[1], bg[2]));
    QImage mask(kImage, kImage, QImage::Format_Grayscale8);
    mask.fill(0);
    {
        QPainter p(&img);
        p.setBrush(QColor(fg[0], fg[1], fg[2]));
        drawShape(p, kind, x0, y0, s);
        QPainter m(&mask);
        m.setBrush(Qt::white);
        drawShape(m, kind, x0, y0, s);
    }

    ShapeImage out;
    out.label = kind;
    out.image.width = out.image.height = kImage;
    out.image.pixels.resize(std::size_t(kImage) * kImage * 3);
    std::normal_distribution<double> noise(0.0, 20.0);
    for (int y = 0; y < kImage; ++y) {
        const uchar* row = img.constScanLine(y);
        const uchar* mrow = mask.constScanLine(y);
        for (int x = 0; x < kImage; ++x) {
            for (int c = 0; c < 3; ++c) {
                const double v = std::round(row[x * 3 + c] + noise(rng));
                out.image.pixels[(std::size_t(y) * kImage + x) * 3 + c] = std::uint8_t(std::clamp(v, 0.0, 255.0));
            }
            if (mrow[x] >= 128) out.patchHasShape[(y / kPatch) * kGrid + x / kPatch] = true;
        }
    }
    return out;
}

std::string randomDistinctLetters(std::mt19937& rng, int n) {
    std::string letters = "abcdefghijklmnopqrstuvwxyz";
    std::shuffle(letters.begin(), letters.end(), rng);
    return letters.substr(0, n);
}

}  // namespace

class BuiltinModelsTest : public QObject {
    Q_OBJECT
private slots:
    void referencesResolve();
    void unknownBuiltinIsAClearError();
    void environmentOverridesTheSearchPath();
    void inductionTokenizerIsCharacterLevel();
    void inductionModelHasPreviousTokenAndInductionHeads();
    void shapesModelClassifiesAndAttendsToTheShape();
};

// The built-in models present in this tree.
std::vector<std::string> shippedBuiltins() {
    std::vector<std::string> names;
    for (const std::string& name : builtinModelNames()) {
        try {
            resolveModelReference("builtin:" + name);
            names.push_back(name);
        } catch (const Error&) {
        }
    }
    return names;
}

void BuiltinModelsTest::referencesResolve() {
    QVERIFY(!shippedBuiltins().empty() && shippedBuiltins().front() == "induction");
    QCOMPARE(builtinModelNames(), (std::vector<std::string>{"induction", "shapes"}));
    QVERIFY(isBuiltinReference("builtin:shapes"));
    QVERIFY(!isBuiltinReference("/models/builtin:shapes"));
    // A plain path stays a path, whether or not it exists ("relative/model" without ./ would
    // read as a hub id when missing: see test_hub_cache.cpp).
    QCOMPARE(resolveModelReference("/no/such/folder").string(), std::string("/no/such/folder"));
    QCOMPARE(resolveModelReference("./relative/model").string(), std::string("./relative/model"));

    for (const std::string& name : shippedBuiltins()) {
        const auto folder = resolveModelReference("builtin:" + name);
        QVERIFY2(std::filesystem::is_regular_file(folder / "config.json"), folder.c_str());
        QVERIFY(std::filesystem::is_regular_file(folder / "model.safetensors"));
        const auto cp = Checkpoint::open("builtin:" + name);
        QCOMPARE(cp->folder(), folder);
        // The resolved folder also opens as a plain path.
        const auto plain = Checkpoint::open(folder);
        QCOMPARE(plain->config().modelType, cp->config().modelType);
    }
    QVERIFY2(std::filesystem::is_directory(findResourceFolder("samples")), "resources/samples");

    // Plain paths keep their own errors.
    try {
        Checkpoint::open("/no/such/folder");
        QFAIL("expected an error");
    } catch (const Error& e) {
        QCOMPARE(std::string(e.what()), std::string("/no/such/folder: no such model folder"));
    }
}

void BuiltinModelsTest::unknownBuiltinIsAClearError() {
    for (auto open : {+[](const std::string& r) { (void)resolveModelReference(r); },
                      +[](const std::string& r) { (void)Checkpoint::open(r); }}) {
        try {
            open("builtin:nope");
            QFAIL("expected an error");
        } catch (const Error& e) {
            const std::string m = e.what();
            QCOMPARE(m, std::string("'builtin:nope' is not a built-in model; the built-in models are "
                                    "builtin:induction, builtin:shapes"));
        }
    }
}

void BuiltinModelsTest::environmentOverridesTheSearchPath() {
    const auto dir = fixtures::tmpDir() / "builtin-env";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir / "induction");
    std::ofstream(dir / "induction" / "config.json") << "{}";
    const auto original = resolveModelReference("builtin:induction");

    qputenv("ATTNSCOPE_BUILTIN_DIR", QByteArray::fromStdString(dir.string()));
    QCOMPARE(builtinSearchPath().front(), dir);
    QCOMPARE(resolveModelReference("builtin:induction"), dir / "induction");
    if (shippedBuiltins().size() == 2)
        QCOMPARE(resolveModelReference("builtin:shapes"), original.parent_path() / "shapes");  // falls through
    qunsetenv("ATTNSCOPE_BUILTIN_DIR");
    QCOMPARE(resolveModelReference("builtin:induction"), original);
    std::filesystem::remove_all(dir);
}

void BuiltinModelsTest::inductionTokenizerIsCharacterLevel() {
    const auto cp = Checkpoint::open("builtin:induction");
    QCOMPARE(cp->config().modelType, std::string("gpt2"));
    QVERIFY2(cp->tokenizer(), cp->tokenizerProblem().c_str());
    const std::string alphabet = "abcdefghijklmnopqrstuvwxyz";
    const auto enc = cp->encode(alphabet);
    QCOMPARE(int(enc.ids.size()), 27);  // BOS + one token per letter
    QVERIFY(cp->tokenizer()->isSpecial(enc.ids[0]));
    for (int i = 0; i < 26; ++i) QCOMPARE(enc.tokens[i + 1], alphabet.substr(i, 1));
    // Spaces and punctuation are tokens too; capitals are lowercased.
    const auto words = cp->encode("Hi, bob.");
    QCOMPARE(words.tokens, (std::vector<std::string>{"<|endoftext|>", "h", "i", ",", " ", "b", "o", "b", "."}));
}

void BuiltinModelsTest::inductionModelHasPreviousTokenAndInductionHeads() {
    const auto cp = Checkpoint::open("builtin:induction");
    const int layers = cp->config().layers, heads = cp->config().heads;
    QVERIFY(layers >= 2);
    std::mt19937 rng(20240611);  // not a training seed
    std::uniform_int_distribution<int> length(12, 24);
    std::vector<int> previousHits(heads, 0);
    std::vector<std::vector<int>> inductionHits(layers, std::vector<int>(heads, 0));
    int previousTotal = 0, inductionTotal = 0;
    for (int trial = 0; trial < 40; ++trial) {
        const std::string s = randomDistinctLetters(rng, length(rng));
        const int n = int(s.size());
        const auto enc = cp->encode(s + s);
        QCOMPARE(int(enc.ids.size()), 1 + 2 * n);
        ForwardInput in;
        in.ids = enc.ids;
        const auto r = cp->forward(in);
        QVERIFY(r);
        const auto& a = r->record.attention();
        auto argmax = [&](int layer, int head, int q) {
            int best = 0;
            for (int k = 1; k <= q; ++k)
                if (a.at(layer, head, q, k) > a.at(layer, head, q, best)) best = k;
            return best;
        };
        for (int q = 1; q < 1 + 2 * n; ++q, ++previousTotal)
            for (int h = 0; h < heads; ++h) previousHits[h] += argmax(0, h, q) == q - 1;
        // Second copy: query 1 + n + j holds s[j]; its earlier occurrence is 1 + j, followed by 2 + j.
        for (int j = 0; j < n; ++j, ++inductionTotal)
            for (int l = 1; l < layers; ++l)
                for (int h = 0; h < heads; ++h) inductionHits[l][h] += argmax(l, h, 1 + n + j) == 2 + j;
    }
    const int prevHead = int(std::max_element(previousHits.begin(), previousHits.end()) - previousHits.begin());
    const double previous = double(previousHits[prevHead]) / previousTotal;
    int indLayer = 1, indHead = 0;
    for (int l = 1; l < layers; ++l)
        for (int h = 0; h < heads; ++h)
            if (inductionHits[l][h] > inductionHits[indLayer][indHead]) indLayer = l, indHead = h;
    const double induction = double(inductionHits[indLayer][indHead]) / inductionTotal;
    qInfo("previous-token head: layer 0 head %d, %.1f%% of %d positions", prevHead, 100 * previous, previousTotal);
    qInfo("induction head: layer %d head %d, %.1f%% of %d positions", indLayer, indHead, 100 * induction, inductionTotal);
    QVERIFY2(previous >= 0.9, qPrintable(QString::number(previous)));
    QVERIFY2(induction >= 0.9, qPrintable(QString::number(induction)));
}

void BuiltinModelsTest::shapesModelClassifiesAndAttendsToTheShape() {
    QCOMPARE(shippedBuiltins(), (std::vector<std::string>{"induction", "shapes"}));
    const auto cp = Checkpoint::open("builtin:shapes");
    const auto& c = cp->config();
    QCOMPARE(c.modelType, std::string("vit"));
    QCOMPARE(c.id2label.size(), std::size_t(4));
    const std::vector<std::string> names{"circle", "square", "triangle", "cross"};
    for (int i = 0; i < 4; ++i) QCOMPARE(c.id2label.at(i), names[i]);
    const auto pre = ImagePreprocessor::fromFile(cp->folder() / "preprocessor_config.json");

    std::mt19937 rng(777001);  // not a training seed
    const int count = 1000;
    int correct = 0, concentrated = 0;
    double ratioSum = 0, massSum = 0, shareSum = 0;
    for (int i = 0; i < count; ++i) {
        const ShapeImage shape = makeShapeImage(rng, i % 4);
        ForwardInput in;
        in.pixels = pre.apply(shape.image, c.channels);
        const auto r = cp->forward(in);
        QVERIFY(r && r->record.logits.rows() == 1 && r->record.logits.cols() == 4);
        Eigen::Index predicted = 0;
        r->record.logits.row(0).maxCoeff(&predicted);
        correct += predicted == shape.label;

        // CLS row of the rollout through the last layer, over the 64 patch tokens.
        const int n = r->record.attention().keys;
        QCOMPARE(n, 1 + kGrid * kGrid);
        const std::vector<float> rollout = attentionRollout(r->record.attention(), r->record.attention().layers - 1);
        double total = 0, mass = 0;
        int covered = 0;
        for (int p = 0; p < kGrid * kGrid; ++p) {
            const double w = rollout[std::size_t(1 + p)];  // row 0 (CLS), column 1 + p
            total += w;
            if (shape.patchHasShape[p]) mass += w, ++covered;
        }
        const double share = double(covered) / (kGrid * kGrid);
        const double ratio = (mass / total) / share;
        ratioSum += ratio;
        massSum += mass / total;
        shareSum += share;
        concentrated += ratio >= 1.5;
    }
    const double accuracy = double(correct) / count, meanRatio = ratioSum / count;
    qInfo("shapes: accuracy %.1f%%, rollout mass / share %.2f (mean over images), %.2f (pooled), "
          "%.1f%% of images >= 1.5",
          100 * accuracy, meanRatio, massSum / shareSum, 100.0 * concentrated / count);
    QVERIFY2(accuracy >= 0.9, qPrintable(QString::number(accuracy)));
    QVERIFY2(meanRatio >= 1.5, qPrintable(QString::number(meanRatio)));
    QVERIFY2(massSum / shareSum >= 1.5, qPrintable(QString::number(massSum / shareSum)));
}

QTEST_APPLESS_MAIN(BuiltinModelsTest)
#include "test_builtin_models.moc"
