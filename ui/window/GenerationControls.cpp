#include "GenerationControls.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>

#include <limits>

namespace attnscope::ui {

GenerationControls::GenerationControls(QWidget* parent) : QGroupBox(tr("Generate"), parent) {
    maxNewTokens_ = new QSpinBox(this);
    maxNewTokens_->setObjectName(QStringLiteral("maxNewTokensSpin"));
    maxNewTokens_->setRange(1, 1024);
    maxNewTokens_->setValue(20);
    maxNewTokens_->setToolTip(tr("How many tokens Generate adds at most (it stops earlier at an end-of-sequence token)"));

    temperature_ = new QDoubleSpinBox(this);
    temperature_->setObjectName(QStringLiteral("temperatureSpin"));
    temperature_->setRange(0.0, 5.0);
    temperature_->setSingleStep(0.1);
    temperature_->setDecimals(2);
    temperature_->setSpecialValueText(tr("0 (greedy)"));
    temperature_->setToolTip(tr("0 always takes the most probable token; higher values sample more freely"));

    topK_ = new QSpinBox(this);
    topK_->setObjectName(QStringLiteral("topKSpin"));
    topK_->setRange(0, 100000);
    topK_->setSpecialValueText(tr("all"));
    topK_->setToolTip(tr("Sample only among the k most probable tokens (all: no limit)"));

    topP_ = new QDoubleSpinBox(this);
    topP_->setObjectName(QStringLiteral("topPSpin"));
    topP_->setRange(0.01, 1.0);
    topP_->setSingleStep(0.05);
    topP_->setDecimals(2);
    topP_->setValue(1.0);
    topP_->setToolTip(tr("Sample only among the fewest most probable tokens whose probabilities add up to p"));

    seed_ = new QSpinBox(this);
    seed_->setObjectName(QStringLiteral("seedSpin"));
    seed_->setRange(0, std::numeric_limits<int>::max());
    seed_->setToolTip(tr("The same seed and settings give the same tokens every time"));

    animate_ = new QCheckBox(tr("Animate, one token at a time"), this);
    animate_->setObjectName(QStringLiteral("animateCheck"));
    animate_->setToolTip(tr("Hold each new token on screen for %1 s so a room can follow it").arg(kPaceMs / 1000.0));

    generate_ = new QPushButton(tr("&Generate"), this);
    generate_->setObjectName(QStringLiteral("generateButton"));
    generate_->setToolTip(tr("Add tokens after the text, each shown with its attention as it comes"));
    step_ = new QPushButton(tr("S&tep"), this);
    step_->setObjectName(QStringLiteral("stepButton"));
    step_->setToolTip(tr("Add one token"));
    connect(generate_, &QPushButton::clicked, this, [this] {
        if (running_) emit stopRequested();
        else emit generateRequested();
    });
    connect(step_, &QPushButton::clicked, this, &GenerationControls::stepRequested);

    summary_ = new QLabel(this);
    summary_->setObjectName(QStringLiteral("generationSummary"));
    summary_->setWordWrap(true);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    summary_->setVisible(false);

    auto* form = new QFormLayout;
    form->addRow(tr("New tokens"), maxNewTokens_);
    form->addRow(tr("Temperature"), temperature_);
    form->addRow(tr("Top-k"), topK_);
    form->addRow(tr("Top-p"), topP_);
    form->addRow(tr("Seed"), seed_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(animate_);
    layout->addWidget(summary_);

    connect(temperature_, &QDoubleSpinBox::valueChanged, this, &GenerationControls::updateSamplingEnabled);
    connect(animate_, &QCheckBox::toggled, this, &GenerationControls::animateChanged);
    updateSamplingEnabled();
}

SamplingSettings GenerationControls::sampling() const {
    SamplingSettings s;
    s.temperature = static_cast<float>(temperature_->value());
    s.topK = topK_->value();
    s.topP = static_cast<float>(topP_->value());
    s.seed = static_cast<std::uint64_t>(seed_->value());
    return s;
}

int GenerationControls::maxNewTokens() const { return maxNewTokens_->value(); }

bool GenerationControls::animate() const { return animate_->isChecked(); }

QString GenerationControls::summary() const { return summary_->text(); }

void GenerationControls::setSampling(const SamplingSettings& sampling) {
    temperature_->setValue(sampling.temperature);
    topK_->setValue(sampling.topK);
    topP_->setValue(sampling.topP);
    seed_->setValue(static_cast<int>(std::min<std::uint64_t>(sampling.seed, std::numeric_limits<int>::max())));
}

void GenerationControls::setMaxNewTokens(int count) { maxNewTokens_->setValue(count); }

void GenerationControls::setAnimate(bool on) { animate_->setChecked(on); }

void GenerationControls::setRunning(bool running) {
    running_ = running;
    generate_->setText(running ? tr("&Stop") : tr("&Generate"));
    generate_->setToolTip(running ? tr("Stop after the current token, keeping what was generated")
                                  : tr("Add tokens after the text, each shown with its attention as it comes"));
    step_->setEnabled(!running);
}

void GenerationControls::setAvailable(bool available) {
    setVisible(available);
    generate_->setVisible(available);
    step_->setVisible(available);
}

void GenerationControls::setSummary(const QString& text) {
    summary_->setText(text);
    summary_->setVisible(!text.isEmpty());
}

void GenerationControls::updateSamplingEnabled() {
    // Greedy decoding ignores these; greying them says so.
    const bool sampling = temperature_->value() > 0.0;
    for (QWidget* w : std::initializer_list<QWidget*>{topK_, topP_, seed_}) w->setEnabled(sampling);
}

}  // namespace attnscope::ui
