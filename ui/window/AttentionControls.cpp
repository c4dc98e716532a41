#include "AttentionControls.h"

#include "Analysis.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QRadioButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QStackedWidget>
#include <QVBoxLayout>

#include "AttentionSelection.h"
#include "ColorMap.h"

namespace attnscope::ui {

namespace {

QIcon gradientIcon(const QString& name) {
    const ColorMap map = ColorMap::byName(name);
    QImage image(48, 12, QImage::Format_RGB32);
    for (int x = 0; x < image.width(); ++x)
        for (int y = 0; y < image.height(); ++y) image.setPixel(x, y, map.rgbAt(x / double(image.width() - 1)));
    return QIcon(QPixmap::fromImage(image));
}

template <typename Box>
void setQuietly(Box* box, auto value) {
    const QSignalBlocker block(box);
    box->setValue(value);
}

void setIndexQuietly(QComboBox* box, int index) {
    const QSignalBlocker block(box);
    box->setCurrentIndex(index);
}

}  // namespace

AttentionControls::AttentionControls(AttentionSelection* selection, QWidget* parent) : QWidget(parent), selection_(selection) {
    auto* attention = new QGroupBox(tr("Attention"), this);
    auto* hardGroup = new QGroupBox(tr("Soft or hard"), this);
    auto* colour = new QGroupBox(tr("Colour"), this);
    buildAttentionGroup(attention);
    buildHardGroup(hardGroup);
    buildColourGroup(colour);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(attention);
    layout->addWidget(hardGroup);
    layout->addWidget(colour);
    layout->addStretch();
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Preferred);
    // The panel is as wide as an encoder-decoder's stack chooser needs, shown or not, so it keeps
    // its width from one model to the next.
    for (const char* title : {"Encoder self-attention", "Decoder self-attention", "Cross-attention"}) stack_->addItem(tr(title));
    reservedWidth_ = layout->sizeHint().width();
    stack_->clear();
    stackLabel_->setVisible(false);  // until a model with several stacks opens
    stack_->setVisible(false);

    connectEdits();
    connect(selection_, &AttentionSelection::changed, this, &AttentionControls::syncFromSelection);
    syncFromSelection();
}

void AttentionControls::buildAttentionGroup(QWidget* group) {
    stack_ = new QComboBox(group);
    stack_->setObjectName(QStringLiteral("stackCombo"));
    stack_->setToolTip(tr("Which of the model's attentions every view shows"));
    stackLabel_ = new QLabel(tr("&Attention"), group);
    stackLabel_->setBuddy(stack_);

    layer_ = new QSpinBox(group);
    layer_->setObjectName(QStringLiteral("layerSpin"));
    layer_->setAccelerated(true);
    head_ = new QComboBox(group);
    head_->setObjectName(QStringLiteral("headCombo"));
    rollout_ = new QCheckBox(tr("Rollout up to this layer"), group);
    rollout_->setObjectName(QStringLiteral("rolloutCheck"));
    rollout_->setToolTip(tr("Attention rollout (Abnar & Zuidema 2020): how much each token draws, through every layer "
                            "up to this one, on each input token. Uses the mean of the heads."));
    query_ = new QComboBox(group);
    query_->setObjectName(QStringLiteral("queryCombo"));
    query_->setToolTip(tr("The query token whose attention the head view and the token strip show; "
                          "click a row, a left token or a token chip to choose it there"));
    query_->setMaxVisibleItems(20);
    query_->setMinimumContentsLength(10);
    query_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    hideSpecial_ = new QCheckBox(tr("Hide special tokens"), group);
    hideSpecial_->setObjectName(QStringLiteral("hideSpecialCheck"));
    hideSpecial_->setToolTip(tr("Leave out [CLS], [SEP], <s> and the like, and spread each row's attention over the rest"));

    auto* form = new QFormLayout(group);
    form->addRow(stackLabel_, stack_);
    form->addRow(tr("&Layer"), layer_);
    form->addRow(tr("&Head"), head_);
    form->addRow(rollout_);
    form->addRow(tr("&Query"), query_);
    form->addRow(hideSpecial_);
    words_ = new QCheckBox(tr("&Words, not pieces"), group);
    words_->setObjectName(QStringLiteral("wordsCheck"));
    words_->setToolTip(tr("Group subword tokens into words: a word receives the sum of its pieces' attention, "
                          "and attends with the mean of theirs"));
    form->addRow(words_);
    sink_ = new QCheckBox(tr("Leave out the first token (sink)"), group);
    sink_->setObjectName(QStringLiteral("sinkCheck"));
    sink_->setToolTip(tr("Many heads park most of their attention on the first token (<s>, BOS, [CLS]); leave it out "
                         "and spread each row over the rest to see what else they read"));
    form->addRow(sink_);
}

void AttentionControls::buildHardGroup(QWidget* group) {
    soft_ = new QRadioButton(tr("&Soft"), group);
    soft_->setObjectName(QStringLiteral("softRadio"));
    soft_->setToolTip(tr("Every attention weight as the model computed it"));
    hard_ = new QRadioButton(tr("Ha&rd"), group);
    hard_->setObjectName(QStringLiteral("hardRadio"));
    hard_->setToolTip(tr("Per query, keep only the selected keys (with their weights) and zero the rest"));
    auto* modes = new QButtonGroup(group);
    modes->addButton(soft_);
    modes->addButton(hard_);

    rule_ = new QComboBox(group);
    rule_->setObjectName(QStringLiteral("hardRuleCombo"));
    rule_->addItem(tr("Top-k keys"), static_cast<int>(HardRule::TopK));
    rule_->addItem(tr("Weight ≥ threshold"), static_cast<int>(HardRule::Threshold));
    rule_->addItem(tr("Cumulative mass ≥ p"), static_cast<int>(HardRule::Mass));
    rule_->setItemData(0, tr("The k largest weights of each row (k = 1: the argmax); ties go to the earlier key"), Qt::ToolTipRole);
    rule_->setItemData(1, tr("Every weight of at least τ"), Qt::ToolTipRole);
    rule_->setItemData(2, tr("The fewest keys whose weights add up to at least p"), Qt::ToolTipRole);

    topK_ = new QSpinBox(group);
    topK_->setObjectName(QStringLiteral("topKSpin"));
    topK_->setRange(1, 4096);
    threshold_ = new QDoubleSpinBox(group);
    threshold_->setObjectName(QStringLiteral("thresholdSpin"));
    threshold_->setRange(0.0, 1.0);
    threshold_->setDecimals(3);
    threshold_->setSingleStep(0.01);
    mass_ = new QDoubleSpinBox(group);
    mass_->setObjectName(QStringLiteral("massSpin"));
    mass_->setRange(0.01, 1.0);
    mass_->setDecimals(2);
    mass_->setSingleStep(0.05);
    parameter_ = new QStackedWidget(group);
    parameter_->addWidget(topK_);
    parameter_->addWidget(threshold_);
    parameter_->addWidget(mass_);
    // A stack's page would otherwise take the group's spare height and draw a giant spin box.
    parameter_->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    parameterLabel_ = new QLabel(group);

    auto* modeRow = new QHBoxLayout;
    modeRow->addWidget(soft_);
    modeRow->addWidget(hard_);
    modeRow->addStretch();
    auto* form = new QFormLayout(group);
    form->addRow(modeRow);
    form->addRow(tr("R&ule"), rule_);
    form->addRow(parameterLabel_, parameter_);
}

void AttentionControls::buildColourGroup(QWidget* group) {
    colorMap_ = new QComboBox(group);
    colorMap_->setObjectName(QStringLiteral("colorMapCombo"));
    colorMap_->setIconSize(QSize(48, 12));
    // Every map ColorMap offers is perceptually uniform and readable with colour blindness.
    for (const QString& name : ColorMap::names()) colorMap_->addItem(gradientIcon(name), name, name);
    scale_ = new QComboBox(group);
    scale_->setObjectName(QStringLiteral("scaleCombo"));
    scale_->addItem(tr("Linear"), static_cast<int>(ValueScale::Linear));
    scale_->addItem(tr("Logarithmic"), static_cast<int>(ValueScale::Log));
    scale_->setToolTip(tr("A log scale tells small weights apart"));
    normalization_ = new QComboBox(group);
    normalization_->setObjectName(QStringLiteral("normalizationCombo"));
    normalization_->addItem(tr("Whole matrix"), static_cast<int>(Normalization::Global));
    normalization_->addItem(tr("Each row"), static_cast<int>(Normalization::PerRow));
    normalization_->setToolTip(tr("Scale colours to the largest weight of the whole matrix, or of each query's row"));

    auto* form = new QFormLayout(group);
    form->addRow(tr("&Map"), colorMap_);
    form->addRow(tr("S&cale"), scale_);
    form->addRow(tr("&Normalise"), normalization_);
}

void AttentionControls::connectEdits() {
    AttentionSelection* s = selection_;
    connect(stack_, &QComboBox::currentIndexChanged, s, &AttentionSelection::setStack);
    connect(layer_, &QSpinBox::valueChanged, s, &AttentionSelection::setLayer);
    connect(head_, &QComboBox::currentIndexChanged, s, [this, s](int index) {
        const int data = head_->itemData(index).toInt();
        if (data == kMeanOfHeads) s->setHeadMode(HeadMode::Mean);
        else if (data == kMaxOfHeads) s->setHeadMode(HeadMode::Max);
        else s->setHead(data);
    });
    connect(rollout_, &QCheckBox::toggled, s, &AttentionSelection::setRollout);
    connect(query_, &QComboBox::currentIndexChanged, s, [this, s](int index) {
        if (index >= 0) s->setSelectedQuery(query_->itemData(index).toInt());
    });
    connect(hideSpecial_, &QCheckBox::toggled, s, &AttentionSelection::setHideSpecialTokens);
    connect(words_, &QCheckBox::toggled, s, &AttentionSelection::setWords);
    connect(sink_, &QCheckBox::toggled, s, [s](bool on) { s->setLeftOutKeys(on ? std::vector<int>{0} : std::vector<int>{}); });
    connect(hard_, &QRadioButton::toggled, s, &AttentionSelection::setHard);
    connect(rule_, &QComboBox::currentIndexChanged, s,
            [this, s](int index) { s->setHardRule(static_cast<HardRule>(rule_->itemData(index).toInt())); });
    connect(topK_, &QSpinBox::valueChanged, s, &AttentionSelection::setTopK);
    connect(threshold_, &QDoubleSpinBox::valueChanged, s, &AttentionSelection::setThreshold);
    connect(mass_, &QDoubleSpinBox::valueChanged, s, &AttentionSelection::setMass);
    connect(colorMap_, &QComboBox::currentIndexChanged, s, [this, s](int index) { s->setColorMap(colorMap_->itemData(index).toString()); });
    connect(scale_, &QComboBox::currentIndexChanged, s,
            [this, s](int index) { s->setValueScale(static_cast<ValueScale>(scale_->itemData(index).toInt())); });
    connect(normalization_, &QComboBox::currentIndexChanged, s,
            [this, s](int index) { s->setNormalization(static_cast<Normalization>(normalization_->itemData(index).toInt())); });
}

void AttentionControls::setAnalysis(std::shared_ptr<const Analysis> analysis) {
    analysis_ = std::move(analysis);
    listedStack_ = -1;
    syncFromSelection();
}

void AttentionControls::fillQueryCombo() {
    const QStringList labels = analysis_ ? analysis_->queryLabels(selection_->stack()) : QStringList();
    const QSignalBlocker block(query_);
    query_->clear();
    for (int t = 0; t < labels.size(); ++t) query_->addItem(QStringLiteral("%1  %2").arg(t).arg(labels[t]), t);
    query_->setEnabled(!labels.isEmpty());
    listedStack_ = selection_->stack();
}

int AttentionControls::panelWidth() const { return std::max(sizeHint().width(), reservedWidth_); }

void AttentionControls::fillStackCombo() {
    const QSignalBlocker block(stack_);
    stack_->clear();
    for (const StackShape& s : selection_->stacks()) {
        stack_->addItem(stackTitle(s));
        stack_->setItemData(stack_->count() - 1, stackDescription(s), Qt::ToolTipRole);
    }
    shownStacks_ = selection_->stackNames();
    stackLabel_->setVisible(shownStacks_.size() > 1);
    stack_->setVisible(shownStacks_.size() > 1);
}

void AttentionControls::fillHeadCombo(int heads) {
    const QSignalBlocker block(head_);
    head_->clear();
    for (int h = 0; h < std::max(heads, 1); ++h) head_->addItem(tr("Head %1").arg(h), h);
    head_->insertSeparator(head_->count());
    head_->addItem(tr("Mean of heads"), kMeanOfHeads);
    head_->addItem(tr("Max of heads"), kMaxOfHeads);
    shownHeads_ = heads;
}

void AttentionControls::syncFromSelection() {
    const AttentionSelection& s = *selection_;
    if (s.stackNames() != shownStacks_) fillStackCombo();
    if (listedStack_ != s.stack()) fillQueryCombo();
    setIndexQuietly(stack_, s.stack());
    // Cross-attention maps target tokens onto source tokens: no square to roll out, and no
    // shared special tokens to hide.
    const bool cross = s.isCrossStack();
    if (s.heads() != shownHeads_) fillHeadCombo(s.heads());
    {
        const QSignalBlocker block(layer_);
        layer_->setRange(0, std::max(0, s.layers() - 1));
        layer_->setValue(s.layer());
    }
    layer_->setToolTip(tr("Layer, 0 to %1 (0 is closest to the input)").arg(layer_->maximum()));
    const int headData = s.headMode() == HeadMode::Mean ? kMeanOfHeads : s.headMode() == HeadMode::Max ? kMaxOfHeads : s.head();
    setIndexQuietly(head_, head_->findData(headData));
    head_->setEnabled(!s.rollout());
    head_->setToolTip(s.rollout() ? tr("Rollout always uses the mean of the heads") : tr("One head, or the mean or maximum over the layer's heads (those left on in the Heads view)"));
    {
        const QSignalBlocker block(rollout_);
        rollout_->setChecked(s.rollout());
    }
    rollout_->setEnabled(!cross || s.rollout() || asksAfterLastLayer(s.stackName().toStdString()));
    hideSpecial_->setEnabled(!cross);
    hideSpecial_->setToolTip(cross ? tr("Special tokens are hidden only where queries and keys are the same tokens")
                                   : tr("Leave out [CLS], [SEP], <s> and the like, and spread each row's attention over the rest"));
    setIndexQuietly(query_, query_->findData(s.selectedQuery()));
    {
        const QSignalBlocker block(hideSpecial_);
        hideSpecial_->setChecked(s.hideSpecialTokens());
    }
    {
        const QSignalBlocker block(words_);
        words_->setChecked(s.words());
    }
    {
        const QSignalBlocker block(sink_);
        sink_->setChecked(!s.leftOutKeys().empty());
    }

    {
        const QSignalBlocker blockSoft(soft_);
        const QSignalBlocker blockHard(hard_);
        (s.hard() ? hard_ : soft_)->setChecked(true);
    }
    const HardSelection& hard = s.hardSelection();
    const int rule = static_cast<int>(hard.rule);
    setIndexQuietly(rule_, rule_->findData(rule));
    parameter_->setCurrentIndex(rule);
    parameterLabel_->setText(hard.rule == HardRule::TopK ? tr("k") : hard.rule == HardRule::Threshold ? tr("τ") : tr("p"));
    setQuietly(topK_, hard.k);
    setQuietly(threshold_, static_cast<double>(hard.threshold));
    setQuietly(mass_, static_cast<double>(hard.mass));
    for (QWidget* w : std::initializer_list<QWidget*>{rule_, parameter_, parameterLabel_}) w->setEnabled(s.hard());

    const FigureStyle& style = s.style();
    setIndexQuietly(colorMap_, std::max(0, colorMap_->findData(style.colorMap)));
    setIndexQuietly(scale_, scale_->findData(static_cast<int>(style.scale)));
    setIndexQuietly(normalization_, normalization_->findData(static_cast<int>(style.normalization)));
}

}  // namespace attnscope::ui
