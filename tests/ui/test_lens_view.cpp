// The logit lens figure and view on a real lens of the trained stories260k model: data built
// from the engine's lens, cells that map to and from points (layer 1 at the bottom), clicks,
// the selected cell's outline, tooltips, exports at any size and the placeholder.
#include <QtTest>

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QXmlStreamReader>

#include <memory>

#include "ColorMap.h"
#include "FigureExporter.h"
#include "FigureFixtures.h"
#include "GoldenFixtures.h"
#include "LensFigure.h"
#include "LensFigureData.h"
#include "LensView.h"
#include "TokenLabel.h"
#include "analysis/LogitLens.h"
#include "model/Checkpoint.h"

using namespace attnscope;
using namespace attnscope::ui;

using figurefixtures::edgesAreBackground;
using figurefixtures::paintInto;

namespace {

const char* const kText = "Once upon a time, there was a little girl named Lily.";

QStringList svgTexts(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return {};
    QXmlStreamReader xml(&file);
    QStringList texts;
    while (!xml.atEnd())
        if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == QLatin1String("text"))
            texts << xml.readElementText(QXmlStreamReader::IncludeChildElements).trimmed();
    if (xml.hasError()) return {QStringLiteral("XML ERROR: ") + xml.errorString()};
    return texts;
}

// Pixels of `a` and `b` that differ on the border of `box` (a band of +-2 px around it), and elsewhere.
std::pair<int, int> differences(const QImage& a, const QImage& b, const QRectF& box) {
    const QRect outer = box.toAlignedRect().adjusted(-3, -3, 3, 3);
    const QRect inner = box.toAlignedRect().adjusted(3, 3, -3, -3);
    int onBorder = 0, elsewhere = 0;
    for (int y = 0; y < a.height(); ++y)
        for (int x = 0; x < a.width(); ++x) {
            if (a.pixel(x, y) == b.pixel(x, y)) continue;
            const bool border = outer.contains(x, y) && !inner.contains(x, y);
            (border ? onBorder : elsewhere) += 1;
        }
    return {onBorder, elsewhere};
}

}  // namespace

class LensViewTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void figureDataFollowsTheLens();
    void cellsMapToPointsAndBack_data();
    void cellsMapToPointsAndBack();
    void clickEmitsTheCell();
    void selectedCellIsOutlined();
    void toolTipListsTheTopTokens();
    void figureFitsAnySize_data();
    void figureFitsAnySize();
    void exportsCarryTheTokens();
    void placeholderWithoutALens();

private:
    std::unique_ptr<Checkpoint> checkpoint_;
    std::shared_ptr<const LogitLens> lens_;
    QStringList labels_;
    LensFigureData data() const { return lensFigureData(*lens_, labels_, vocabularyLabels(checkpoint_->tokenizer())); }
};

void LensViewTest::initTestCase() {
    checkpoint_ = Checkpoint::open(fixtures::modelsDir() / "stories260k");
    const Encoding encoding = checkpoint_->encode(kText);
    labels_ = tokenLabels(encoding.tokens);
    auto lens = computeLogitLens(*checkpoint_, encoding.ids, 5);
    QVERIFY(lens);
    lens_ = std::make_shared<const LogitLens>(std::move(*lens));
    QCOMPARE(lens_->layers, 5);
    QCOMPARE(lens_->positions, labels_.size());
}

void LensViewTest::figureDataFollowsTheLens() {
    const LensFigureData d = data();
    QCOMPARE(d.layers, 5);
    QCOMPARE(d.positions(), lens_->positions);
    QCOMPARE(d.cells.size(), std::size_t(5 * lens_->positions));
    QCOMPARE(d.positionLabels, labels_);
    for (int l = 0; l < d.layers; ++l)
        for (int i = 0; i < d.positions(); ++i) {
            const auto top = lens_->at(l, i);
            const LensCell& cell = d.cell(l, i);
            QCOMPARE(cell.topToken, tokenLabel(checkpoint_->tokenizer()->idToToken(top[0].id)));
            QCOMPARE(cell.probability, top[0].probability);
            QCOMPARE(cell.runnersUp.size(), 4);
            QCOMPARE(cell.runnersUp[0].probability, top[1].probability);
        }
    // "was a" -> "little" at the top layer, as the engine test measured.
    QCOMPARE(d.cell(4, 8).topToken, tokenLabel("▁little"));
}

void LensViewTest::cellsMapToPointsAndBack_data() {
    QTest::addColumn<QSize>("size");
    QTest::newRow("wide") << QSize(1100, 420);
    QTest::newRow("small") << QSize(420, 260);
}

// cellRect's centre hits the same cell, in the figure and through the widget; the last layer
// is the top row.
void LensViewTest::cellsMapToPointsAndBack() {
    QFETCH(QSize, size);
    LensView view;
    view.resize(size);
    view.setLens(lens_, labels_, vocabularyLabels(checkpoint_->tokenizer()));
    QVERIFY(view.figure());
    const int n = lens_->positions;
    const QList<LensCellIndex> cells{{0, 0}, {4, n - 1}, {2, n / 2}, {0, n - 1}, {4, 0}, {3, 7}};
    const QRectF area(15, 10, size.width() - 20, size.height() - 30);  // not at the origin
    for (const LensCellIndex& c : cells) {
        const QRectF rect = view.cellRect(c.layer, c.position);
        QVERIFY(!rect.isEmpty() && QRectF(view.rect()).contains(rect));
        QCOMPARE(view.cellAt(rect.center()), std::optional<LensCellIndex>(c));
        const QRectF inFigure = view.figure()->cellRect(area, c.layer, c.position);
        QVERIFY(area.contains(inFigure));
        QCOMPARE(view.figure()->hitTest(area, inFigure.center()), std::optional<LensCellIndex>(c));
    }
    QVERIFY(view.cellRect(0, 0).top() > view.cellRect(4, 0).top());       // layer 1 at the bottom
    QVERIFY(view.cellRect(0, 0).left() < view.cellRect(0, n - 1).left());  // tokens left to right
    QVERIFY(!view.cellAt(QPointF(2, 2)));
    QVERIFY(view.cellRect(5, 0).isEmpty());
}

void LensViewTest::clickEmitsTheCell() {
    LensView view;
    view.resize(900, 400);
    view.setLens(lens_, labels_, vocabularyLabels(checkpoint_->tokenizer()));
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy clicked(&view, &LensView::cellClicked);
    QTest::mouseClick(&view, Qt::LeftButton, {}, view.cellRect(3, 7).center().toPoint());
    QCOMPARE(clicked.size(), 1);
    QCOMPARE(clicked.front(), (QList<QVariant>{3, 7}));
    QTest::mouseClick(&view, Qt::LeftButton, {}, view.cellRect(0, 1).center().toPoint());
    QCOMPARE(clicked.back(), (QList<QVariant>{0, 1}));
    QTest::mouseClick(&view, Qt::LeftButton, {}, QPoint(3, 3));  // outside the grid
    QTest::mouseClick(&view, Qt::RightButton, {}, view.cellRect(1, 1).center().toPoint());
    QCOMPARE(clicked.size(), 2);
}

// The outline changes pixels on the selected cell's border and nowhere far from it (the
// layer and token labels turn bold too), in the figure and in the widget.
void LensViewTest::selectedCellIsOutlined() {
    const LensFigure plain(data(), FigureStyle());
    const LensFigure selected = plain.withSelection(3, 7);
    QCOMPARE(selected.selectedLayer(), std::optional<int>(3));
    const QSize size(1000, 380);
    const QRectF area(QPointF(0, 0), QSizeF(size));
    const QRectF cell = selected.cellRect(area, 3, 7);
    QCOMPARE(cell, plain.cellRect(area, 3, 7));
    const auto [onBorder, elsewhere] = differences(renderFigure(plain, size), renderFigure(selected, size), cell);
    QVERIFY2(onBorder > int(cell.width() + cell.height()), qPrintable(QString::number(onBorder)));
    const QImage a = renderFigure(plain, size), b = renderFigure(selected, size);
    // Elsewhere only the bold labels: left of the grid and under it.
    const QRectF grid = plain.cellRect(area, 4, 0).united(plain.cellRect(area, 0, lens_->positions - 1));
    for (int y = 0; y < size.height(); ++y)
        for (int x = 0; x < size.width(); ++x)
            if (a.pixel(x, y) != b.pixel(x, y) && grid.adjusted(3, 3, -3, -3).contains(x, y))
                QVERIFY2(cell.adjusted(-3, -3, 3, 3).contains(x, y), qPrintable(QString("%1,%2").arg(x).arg(y)));
    QVERIFY(elsewhere > 0);

    LensView view;
    view.resize(size);
    view.setLens(lens_, labels_, vocabularyLabels(checkpoint_->tokenizer()));
    const QImage before = view.grab().toImage();
    view.setSelection(3, 7);
    QCOMPARE(view.figure()->selectedPosition(), std::optional<int>(7));
    const QImage after = view.grab().toImage();
    QVERIFY(differences(before, after, view.cellRect(3, 7)).first > int(cell.width()));
    view.setSelection(-1, -1);
    QCOMPARE(view.grab().toImage(), before);
}

void LensViewTest::toolTipListsTheTopTokens() {
    LensView view;
    view.resize(900, 400);
    view.setLens(lens_, labels_, vocabularyLabels(checkpoint_->tokenizer()));
    const QString tip = view.toolTipFor(4, 8);
    QVERIFY2(tip.startsWith(QStringLiteral("Layer 5 of 5, position 8 (“%1”)").arg(labels_[8])), qPrintable(tip));
    const auto top = lens_->at(4, 8);
    const QStringList lines = tip.split('\n');
    QCOMPARE(lines.size(), 1 + int(top.size()));
    for (std::size_t k = 0; k < top.size(); ++k) {
        const QString name = tokenLabel(checkpoint_->tokenizer()->idToToken(top[k].id));
        QCOMPARE(lines[int(k) + 1], QStringLiteral("%1  %2%").arg(name, QString::number(100.0 * top[k].probability, 'f', 1)));
    }
    QVERIFY(view.toolTipFor(9, 0).isEmpty());
}

void LensViewTest::figureFitsAnySize_data() {
    QTest::addColumn<QSize>("size");
    for (const QSize& s : {QSize(300, 120), QSize(120, 300), QSize(700, 330), QSize(2400, 500), QSize(60, 40)})
        QTest::addRow("%dx%d", s.width(), s.height()) << s;
}

// Painted straight into an area of any shape: background to the edges, every cell inside.
void LensViewTest::figureFitsAnySize() {
    QFETCH(QSize, size);
    FigureStyle style;
    style.background = QColor(250, 250, 245);
    const LensFigure figure = LensFigure(data(), style).withSelection(0, 0);
    const QImage image = paintInto(figure, size, Qt::red);
    QVERIFY(edgesAreBackground(image, style.background.rgb()));
    const QRectF area(QPointF(0, 0), QSizeF(size));
    QVERIFY(area.contains(figure.cellRect(area, 0, 0)));
    QVERIFY(area.contains(figure.cellRect(area, 4, lens_->positions - 1)));
}

// SVG keeps every top token that fits its cell as <text> (at the natural size: all of them
// here), and the input tokens; PNG at 4000 and 8000 px and PDF work.
void LensViewTest::exportsCarryTheTokens() {
    QTemporaryDir dir;
    const LensFigure figure(data(), FigureStyle());
    const QString svg = dir.filePath("lens.svg");
    exportFigure(figure, svg, ExportFormat::Svg);
    const QStringList texts = svgTexts(svg);
    QVERIFY2(!texts.isEmpty() && !texts.front().startsWith("XML ERROR"), qPrintable(texts.value(0)));
    const LensFigureData& d = figure.data();
    for (const LensCell& cell : d.cells) QVERIFY2(texts.contains(cell.topToken), qPrintable(cell.topToken));
    for (const QString& label : d.positionLabels) QVERIFY2(texts.contains(label), qPrintable(label));
    QVERIFY(texts.contains(d.title));
    QVERIFY(texts.contains(QStringLiteral("L1")) && texts.contains(QStringLiteral("L5")));

    const ColorMap colors = ColorMap::byName(figure.style().colorMap);
    for (const QSize size : {QSize(4000, 1500), QSize(8000, 2400)}) {
        const QString png = dir.filePath(QStringLiteral("lens%1.png").arg(size.width()));
        exportFigure(figure, png, ExportFormat::Png, size);
        const QImage image(png);
        QCOMPARE(image.size(), size);
        // Where the export puts a cell: the figure is scaled up to the size (see paintScaled).
        const QSizeF natural = figure.naturalSize();
        const double s = std::max(1.0, std::min(size.width() / natural.width(), size.height() / natural.height()));
        const QRectF cell = figure.cellRect(QRectF(0, 0, size.width() / s, size.height() / s), 4, 3);
        const QPointF corner(cell.left() + cell.width() * 0.06, cell.top() + cell.height() * 0.12);  // beside the text
        const QRgb pixel = image.pixel((corner * s).toPoint());
        const QRgb expected = colors.rgbAt(d.cell(4, 3).probability);
        QVERIFY2(std::abs(qRed(pixel) - qRed(expected)) <= 2 && std::abs(qGreen(pixel) - qGreen(expected)) <= 2 &&
                     std::abs(qBlue(pixel) - qBlue(expected)) <= 2,
                 qPrintable(QString::number(pixel, 16) + " vs " + QString::number(expected, 16)));
    }
    const QString pdf = dir.filePath("lens.pdf");
    exportFigure(figure, pdf, ExportFormat::Pdf);
    QFile file(pdf);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.read(5) == "%PDF-");
}

void LensViewTest::placeholderWithoutALens() {
    LensView view;
    view.resize(500, 300);
    view.setPlaceholderText(QStringLiteral("Open the Lens tab to compute the lens"));
    QVERIFY(!view.figure());
    QCOMPARE(view.placeholderText(), QStringLiteral("Open the Lens tab to compute the lens"));
    const QImage empty = view.grab().toImage();
    // The text sits in the middle: some pixels there differ from the background.
    const QRgb background = empty.pixel(2, 2);
    int inked = 0;
    for (int y = 130; y < 170; ++y)
        for (int x = 100; x < 400; ++x) inked += empty.pixel(x, y) != background;
    QVERIFY(inked > 50);
    QVERIFY(!view.cellAt(QPointF(250, 150)));

    view.setLens(lens_, labels_, vocabularyLabels(checkpoint_->tokenizer()));
    QVERIFY(view.figure() && view.lens() == lens_);
    QVERIFY(view.grab().toImage() != empty);
    view.clear();
    QVERIFY(!view.figure());
    QCOMPARE(view.grab().toImage(), empty);
    view.setLens(nullptr, {}, {});
    QVERIFY(!view.figure());
}

QTEST_MAIN(LensViewTest)
#include "test_lens_view.moc"
