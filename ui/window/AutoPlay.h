#pragma once
#include <QObject>
#include <QTimer>

namespace attnscope::ui {

class AttentionSelection;

// Steps the selection through every layer and head at a chosen pace, for a presenter who
// wants to talk rather than press keys.
class AutoPlay : public QObject {
    Q_OBJECT
public:
    explicit AutoPlay(AttentionSelection* selection, QObject* parent = nullptr);

    bool isPlaying() const { return timer_.isActive(); }
    int intervalMs() const { return timer_.interval(); }

public slots:
    void setPlaying(bool on);
    void setIntervalMs(int ms);
    // One step now (what a timer tick does).
    void step();

signals:
    void playingChanged(bool on);

private:
    AttentionSelection* selection_;
    QTimer timer_;
};

}  // namespace attnscope::ui
