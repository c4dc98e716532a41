#pragma once
#include <QStringList>
#include <QWidget>

class QVBoxLayout;
class QLabel;

namespace attnscope::ui {

// The empty state shown before any model is open: what to do, a button to do it, and the
// recently opened model folders one click away.
class WelcomePage : public QWidget {
    Q_OBJECT
public:
    explicit WelcomePage(QWidget* parent = nullptr);

public slots:
    // Newest first; only the first few are shown.
    void setRecentFolders(const QStringList& folders);

signals:
    void openRequested();
    void recentRequested(const QString& folder);

private:
    QLabel* recentTitle_;
    QVBoxLayout* recentList_;
};

}  // namespace attnscope::ui
