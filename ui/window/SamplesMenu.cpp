#include "SamplesMenu.h"

#include <QDir>
#include <QFile>
#include <QTextStream>

#include "model/ModelReference.h"

namespace attnscope::ui {

SamplesMenu::SamplesMenu(QWidget* parent) : QMenu(tr("&Samples"), parent) {
    setObjectName(QStringLiteral("samplesMenu"));
    const std::filesystem::path folder = findResourceFolder("samples");
    if (folder.empty()) return;
    const QDir samples(QString::fromStdString(folder.string()));
    addSentences(samples.filePath(QStringLiteral("sentences.txt")));
    addImages(samples.filePath(QStringLiteral("shapes")));
}

void SamplesMenu::addSentences(const QString& file) {
    QFile sentences(file);
    if (!sentences.open(QIODevice::ReadOnly | QIODevice::Text)) return;
    QTextStream in(&sentences);
    QString title;        // the first "# " line of the comment block above the next inputs
    bool newBlock = true;  // after a blank line (or at the start), a "# " line starts a block
    while (!in.atEnd()) {
        const QString line = in.readLine();
        if (line.trimmed().isEmpty()) {
            newBlock = true;
            continue;
        }
        if (line.startsWith(QLatin1Char('#'))) {
            if (newBlock) title = line.mid(1).trimmed();
            newBlock = false;
            continue;
        }
        newBlock = false;
        if (!title.isEmpty()) addSection(title.section(QLatin1Char('('), 0, 0).section(QLatin1Char(':'), 0, 0).trimmed());
        title.clear();
        QAction* action = addAction(line.size() > 70 ? line.left(67) + QStringLiteral("…") : line);
        action->setToolTip(line);
        connect(action, &QAction::triggered, this, [this, line] { emit textChosen(line); });
    }
}

void SamplesMenu::addImages(const QString& folder) {
    const QDir shapes(folder);
    const QStringList images = shapes.entryList({QStringLiteral("*.png")}, QDir::Files, QDir::Name);
    if (!images.isEmpty()) addSection(tr("Shapes (builtin:shapes)"));
    for (const QString& name : images) {
        const QString path = shapes.filePath(name);
        connect(addAction(name), &QAction::triggered, this, [this, path] { emit imageChosen(path); });
    }
}

}  // namespace attnscope::ui
