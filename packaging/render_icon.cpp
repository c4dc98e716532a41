// attnscope-render-icon SVG SIZE OUT.png: draws the app icon at one size for the hicolor theme.
// Qt Svg is already a build dependency, so the PNGs come from the renderer the app itself uses
// for the scalable icon, with no extra package (rsvg-convert would need librsvg2-bin).
#include <QCoreApplication>
#include <QImage>
#include <QPainter>
#include <QSvgRenderer>

#include <cstdio>

int main(int argc, char* argv[]) {
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    bool ok = false;
    const int size = args.size() == 4 ? args[2].toInt(&ok) : 0;
    if (!ok || size < 1) {
        std::fprintf(stderr, "usage: attnscope-render-icon SVG SIZE OUT.png\n");
        return 2;
    }
    QSvgRenderer renderer(args[1]);
    if (!renderer.isValid()) {
        std::fprintf(stderr, "error: %s is not a valid SVG\n", qPrintable(args[1]));
        return 3;
    }
    QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    renderer.render(&painter);
    painter.end();
    if (!image.save(args[3], "PNG")) {
        std::fprintf(stderr, "error: cannot write %s\n", qPrintable(args[3]));
        return 3;
    }
    return 0;
}
