#pragma once
#include <QWidget>

namespace attnscope::ui {

// The empty state shown before any model is open: what to do, and a button to do it.
class WelcomePage : public QWidget {
    Q_OBJECT
public:
    explicit WelcomePage(QWidget* parent = nullptr);

signals:
    void openRequested();
};

}  // namespace attnscope::ui
