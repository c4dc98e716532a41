#include "RecentModels.h"

#include <QDir>
#include <QSettings>

namespace attnscope::ui {

namespace {
const char* const kKey = "recentModelFolders";
}

RecentModels::RecentModels(QObject* parent) : QObject(parent) {}

QStringList RecentModels::folders() const {
    // Read each time rather than cached: another AttnScope window may have opened a model.
    return QSettings().value(kKey).toStringList().mid(0, kMaxEntries);
}

void RecentModels::add(const QString& folder) {
    const QString clean = QDir::cleanPath(folder);
    if (clean.isEmpty()) return;
    QStringList list = folders();
    list.removeAll(clean);
    list.prepend(clean);
    store(list.mid(0, kMaxEntries));
}

void RecentModels::remove(const QString& folder) {
    QStringList list = folders();
    if (list.removeAll(QDir::cleanPath(folder)) > 0) store(list);
}

void RecentModels::clear() { store({}); }

void RecentModels::store(const QStringList& list) {
    QSettings settings;
    settings.setValue(kKey, list);
    emit changed();
}

}  // namespace attnscope::ui
