// Exports: PNG at the requested size, SVG with vector cells and one <text> per token label,
// PDF that poppler reads, NPY parsed back, atomic writes and errors that name the path.
#include <QtTest>

#include <QClipboard>
#include <QDir>
#include <QFile>
#include <QGuiApplication>
#include <QImageReader>
#include <QMimeData>
#include <QProcess>
#include <QTemporaryDir>
#include <QXmlStreamReader>

#include <cstring>

#include "Error.h"
#include "FigureBuilder.h"
#include "FigureExporter.h"
#include "GoldenFixtures.h"
#include "MatrixFigure.h"
#include "NpyReading.h"
#include "TokenLabel.h"
#include "io/NpyWriter.h"
#include "model/Checkpoint.h"

using namespace attnscope;
using namespace attnscope::ui;

namespace {

struct SvgContents {
    QStringList texts;  // every <text> element's content
    int rects = 0;
    int images = 0;
};

SvgContents parseSvg(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return {};
    QXmlStreamReader xml(&file);
    SvgContents svg;
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement) continue;
        if (xml.name() == QLatin1String("text")) svg.texts << xml.readElementText(QXmlStreamReader::IncludeChildElements);
        else if (xml.name() == QLatin1String("rect")) ++svg.rects;
        else if (xml.name() == QLatin1String("image")) ++svg.images;
    }
    if (xml.hasError()) svg.texts = QStringList{QStringLiteral("XML ERROR: ") + xml.errorString()};
    return svg;
}

// The files in a folder, hidden ones included (a temporary file left behind would show).
QStringList filesIn(const QString& dir) {
    return QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::System);
}

using Npy = fixtures::NpyFile;
using fixtures::readNpy;

}  // namespace

class TestExport : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void formatFromSuffix();
    void renderHasExactSize();
    void pngAtRequestedSize_data();
    void pngAtRequestedSize();
    void pngRefusesMoreThan8000();
    void svgIsVectorWithOneTextPerLabel();
    void svgOfEveryViewParses();
    void pdfIsReadByPoppler();
    void npyHeaderAndValues();
    void npyHeaderPadsTo64();
    void unwritablePathNamesIt_data();
    void unwritablePathNamesIt();
    void writesAreAtomic();
    void clipboardGetsImageAndSvg();

private:
    std::unique_ptr<MatrixFigure> figure_;
    Encoding encoding_;
    AttentionStack stack_;
    FigureSource source_;
    QTemporaryDir dir_;
};

void TestExport::initTestCase() {
    QVERIFY(dir_.isValid());
    const auto cp = Checkpoint::open(fixtures::goldenDir() / "bert" / "model");
    encoding_ = cp->encode("the cat sat on the mat", std::string("a dog ran"));
    ForwardInput in;
    in.ids = encoding_.ids;
    in.typeIds = encoding_.typeIds;
    stack_ = cp->forward(in)->record.attention();
    source_.attentions = &stack_;
    source_.tokenLabels = tokenLabels(encoding_.tokens);
    source_.specialTokens = encoding_.specialTokensMask;
    ViewRequest r;
    r.query.layer = 1;
    r.query.head = 2;
    figure_ = std::make_unique<MatrixFigure>(buildMatrixData(source_, r), FigureStyle());
}

void TestExport::formatFromSuffix() {
    QCOMPARE(exportFormatFor("a/b.png"), ExportFormat::Png);
    QCOMPARE(exportFormatFor("B.SVG"), ExportFormat::Svg);
    QCOMPARE(exportFormatFor("x.pdf"), ExportFormat::Pdf);
    QCOMPARE(exportFormatFor("x.npy"), ExportFormat::Npy);
    QVERIFY_THROWS_EXCEPTION(Error, exportFormatFor("x.jpeg"));
    QVERIFY_THROWS_EXCEPTION(Error, exportFormatFor("noext"));
}

void TestExport::renderHasExactSize() {
    for (const QSize size : {QSize(300, 200), QSize(1200, 300), QSize(64, 64), QSize(2000, 2000)}) {
        const QImage image = renderFigure(*figure_, size);
        QCOMPARE(image.size(), size);
    }
}

void TestExport::pngAtRequestedSize_data() {
    QTest::addColumn<QSize>("size");
    QTest::newRow("natural") << QSize();
    QTest::newRow("640x480") << QSize(640, 480);
    QTest::newRow("wide 7999x300") << QSize(7999, 300);
    QTest::newRow("large 4000x3000") << QSize(4000, 3000);
}

void TestExport::pngAtRequestedSize() {
    QFETCH(QSize, size);
    const QString path = dir_.filePath("matrix.png");
    exportFigure(*figure_, path, ExportFormat::Png, size);
    QImageReader reader(path);
    QCOMPARE(reader.format(), QByteArray("png"));
    const QSizeF natural = figure_->naturalSize();
    const QSize expected = size.isEmpty() ? QSize(int(std::ceil(natural.width())), int(std::ceil(natural.height()))) : size;
    QCOMPARE(reader.size(), expected);
    // Whole figure: the border is background, the middle is not.
    const QImage image = reader.read();
    QCOMPARE(image.pixel(1, 1), qRgb(255, 255, 255));
    QCOMPARE(image.pixel(image.width() - 2, image.height() - 2), qRgb(255, 255, 255));
}

void TestExport::pngRefusesMoreThan8000() {
    const QString path = dir_.filePath("huge.png");
    try {
        exportFigure(*figure_, path, ExportFormat::Png, QSize(8001, 600));
        QFAIL("8001 px was accepted");
    } catch (const Error& e) {
        QVERIFY(QString(e.what()).contains(path));
        QVERIFY(QString(e.what()).contains("8000"));
    }
    QVERIFY_THROWS_EXCEPTION(Error, exportFigure(*figure_, path, ExportFormat::Png, QSize(600, 9000)));
    QVERIFY(!QFile::exists(path));
}

void TestExport::svgIsVectorWithOneTextPerLabel() {
    const QString path = dir_.filePath("matrix.svg");
    exportFigure(*figure_, path, ExportFormat::Svg);
    const SvgContents svg = parseSvg(path);
    QVERIFY2(!svg.texts.isEmpty() && !svg.texts.front().startsWith("XML ERROR"), qPrintable(svg.texts.value(0)));
    QCOMPARE(svg.images, 0);  // cells are shapes, not an embedded raster
    QVERIFY(svg.rects >= 10);
    // Each token label is one <text> per axis: a label that occurs t times in the text
    // appears 2t times (rows and columns).
    const MatrixFigureData& d = figure_->data();
    QCOMPARE(d.rowLabels.size(), 14);
    for (const QString& label : d.rowLabels) {
        const int occurrences = int(d.rowLabels.count(label));
        QCOMPARE(int(svg.texts.count(label)), 2 * occurrences);
    }
    QVERIFY(svg.texts.contains(d.title));
}

void TestExport::svgOfEveryViewParses() {
    for (ViewKind kind : {ViewKind::Heads, ViewKind::Grid, ViewKind::Tokens}) {
        ViewRequest r;
        r.kind = kind;
        r.query.layer = 1;
        r.selectedQuery = 2;
        const auto figure = buildFigure(source_, r, FigureStyle());
        const QString path = dir_.filePath(QStringLiteral("view%1.svg").arg(int(kind)));
        exportFigure(*figure, path, ExportFormat::Svg);
        const SvgContents svg = parseSvg(path);
        QVERIFY(!svg.texts.isEmpty() && !svg.texts.front().startsWith("XML ERROR"));
        if (kind == ViewKind::Grid) QVERIFY2(svg.texts.contains("Layer") && svg.texts.contains("Head"), qPrintable(svg.texts.join('|')));
        if (kind == ViewKind::Heads) QCOMPARE(int(svg.texts.count("cat")), 2);  // left and right column
        if (kind == ViewKind::Tokens) QCOMPARE(int(svg.texts.count("cat")), 1);
    }
}

void TestExport::pdfIsReadByPoppler() {
    const QString path = dir_.filePath("matrix.pdf");
    exportFigure(*figure_, path, ExportFormat::Pdf);
    QProcess info;
    info.start("pdfinfo", {path});
    QVERIFY2(info.waitForFinished(30000), "pdfinfo (poppler-utils) did not run");
    QCOMPARE(info.exitStatus(), QProcess::NormalExit);
    QCOMPARE(info.exitCode(), 0);
    const QString facts = QString::fromUtf8(info.readAllStandardOutput());
    QVERIFY(facts.contains(QRegularExpression("Pages:\\s+1")));
    const QSizeF natural = figure_->naturalSize();
    QVERIFY2(facts.contains(QStringLiteral("%1 x %2 pts").arg(std::ceil(natural.width())).arg(std::ceil(natural.height()))), qPrintable(facts));
    QProcess text;
    text.start("pdftotext", {path, "-"});
    QVERIFY(text.waitForFinished(30000));
    QCOMPARE(text.exitCode(), 0);
    const QString words = QString::fromUtf8(text.readAllStandardOutput());
    QVERIFY2(words.contains("cat") && words.contains("[CLS]") && words.contains("Layer 1"), qPrintable(words));
}

void TestExport::npyHeaderAndValues() {
    const QString path = dir_.filePath("matrix.npy");
    const AttentionMatrix& m = figure_->data().matrix;
    exportMatrixNpy(m, path);
    const Npy npy = readNpy(path);
    QVERIFY(npy.header.find("'descr': '<f4'") != std::string::npos);
    QVERIFY(npy.header.find("'fortran_order': False") != std::string::npos);
    QCOMPARE(npy.shape, (std::vector<std::int64_t>{m.rows, m.cols}));
    QCOMPARE(npy.dataOffset % 64, std::size_t(0));
    QCOMPARE(npy.header.back(), '\n');
    QCOMPARE(npy.values, m.values);
}

void TestExport::npyHeaderPadsTo64() {
    for (const auto& shape : std::vector<std::vector<std::int64_t>>{{3}, {2, 3}, {12, 1000, 1000}, {}}) {
        const std::string h = npyFloat32Header(shape);
        QCOMPARE(h.size() % 64, std::size_t(0));
        QCOMPARE(h.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
        QCOMPARE(std::size_t(static_cast<unsigned char>(h[8]) | (static_cast<unsigned char>(h[9]) << 8)), h.size() - 10);
    }
    QVERIFY(npyFloat32Header({3}).find("'shape': (3,)") != std::string::npos);
    QVERIFY(npyFloat32Header({}).find("'shape': ()") != std::string::npos);
}

void TestExport::unwritablePathNamesIt_data() {
    QTest::addColumn<QString>("suffix");
    for (const char* s : {"png", "svg", "pdf", "npy"}) QTest::newRow(s) << QString(s);
}

void TestExport::unwritablePathNamesIt() {
    QFETCH(QString, suffix);
    // A missing folder, and a "folder" that is a file: both fail even for root.
    const QString file = dir_.filePath("plain-file");
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.close();
    for (const QString& path : {dir_.filePath("no/such/folder/out." + suffix), file + "/out." + suffix}) {
        try {
            if (suffix == "npy")
                exportMatrixNpy(figure_->data().matrix, path);
            else
                exportFigure(*figure_, path, exportFormatFor(path));
            QFAIL(qPrintable("wrote " + path));
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains(path), e.what());
        }
    }
}

void TestExport::writesAreAtomic() {
    QTemporaryDir dir;
    const QString base = dir.filePath("fig");
    exportFigure(*figure_, base + ".png", ExportFormat::Png, QSize(300, 200));
    exportFigure(*figure_, base + ".svg", ExportFormat::Svg);
    exportFigure(*figure_, base + ".pdf", ExportFormat::Pdf);
    exportMatrixNpy(figure_->data().matrix, base + ".npy");
    QCOMPARE(filesIn(dir.path()), (QStringList{"fig.npy", "fig.pdf", "fig.png", "fig.svg"}));
    // Overwriting replaces; a failed export leaves the old file as it was.
    exportFigure(*figure_, base + ".png", ExportFormat::Png, QSize(320, 240));
    QCOMPARE(QImageReader(base + ".png").size(), QSize(320, 240));
    QVERIFY_THROWS_EXCEPTION(Error, exportFigure(*figure_, base + ".png", ExportFormat::Png, QSize(9000, 100)));
    QCOMPARE(QImageReader(base + ".png").size(), QSize(320, 240));
    QCOMPARE(filesIn(dir.path()).size(), 4);
}

void TestExport::clipboardGetsImageAndSvg() {
    copyFigureToClipboard(*figure_, QSize(400, 300));
    const QMimeData* mime = QGuiApplication::clipboard()->mimeData();
    QVERIFY(mime);
    QVERIFY(mime->hasImage());
    QCOMPARE(qvariant_cast<QImage>(mime->imageData()).size(), QSize(400, 300));
    QVERIFY(mime->hasFormat("image/svg+xml"));
    QVERIFY(mime->data("image/svg+xml").contains("<svg"));
}

QTEST_MAIN(TestExport)
#include "test_export.moc"
