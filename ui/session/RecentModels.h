#pragma once
#include <QObject>
#include <QStringList>

namespace attnscope::ui {

// The model folders opened most recently, newest first, at most kMaxEntries, kept in
// QSettings so File ▸ Open Recent survives restarts.
class RecentModels : public QObject {
    Q_OBJECT
public:
    static constexpr int kMaxEntries = 10;

    explicit RecentModels(QObject* parent = nullptr);

    QStringList folders() const;

public slots:
    // Moves (or adds) `folder` to the front; the oldest entry beyond kMaxEntries drops off.
    void add(const QString& folder);
    void remove(const QString& folder);
    void clear();

signals:
    void changed();

private:
    void store(const QStringList& folders);
};

}  // namespace attnscope::ui
