#pragma once
#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

namespace attnscope::ui {

// What the app is busy with, how far it got, and a Cancel button. Hidden when idle.
class JobProgress : public QWidget {
    Q_OBJECT
public:
    explicit JobProgress(QWidget* parent = nullptr);

public slots:
    // An empty description means idle.
    void setActivity(const QString& description);
    // total 0: busy without a measure of progress.
    void setProgress(int done, int total);

signals:
    void cancelRequested();

private:
    QLabel* label_;
    QProgressBar* bar_;
    QPushButton* cancel_;
};

}  // namespace attnscope::ui
