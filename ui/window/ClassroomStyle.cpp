#include "ClassroomStyle.h"

namespace attnscope::ui {

namespace {
const QColor kDarkBackground(18, 18, 22);
const QColor kLightText(245, 245, 240);
const QColor kHighlight(255, 200, 40);  // amber: visible on a washed-out projector
}  // namespace

FigureStyle classroomFigureStyle(const FigureStyle& base) {
    FigureStyle style = base;
    style.fontPointSize = kClassroomFontPointSize;
    style.lineWidth = kClassroomLineWidth;
    style.background = kDarkBackground;
    style.foreground = kLightText;
    return style;
}

FigureStyle normalFigureStyle(const FigureStyle& classroom) {
    const FigureStyle defaults;
    FigureStyle style = classroom;
    style.fontPointSize = defaults.fontPointSize;
    style.lineWidth = defaults.lineWidth;
    style.background = defaults.background;
    style.foreground = defaults.foreground;
    return style;
}

QPalette classroomPalette() {
    QPalette p;
    for (const QPalette::ColorGroup group : {QPalette::Active, QPalette::Inactive}) {
        p.setColor(group, QPalette::Window, kDarkBackground);
        p.setColor(group, QPalette::WindowText, kLightText);
        p.setColor(group, QPalette::Base, QColor(30, 30, 36));
        p.setColor(group, QPalette::AlternateBase, QColor(40, 40, 48));
        p.setColor(group, QPalette::Text, kLightText);
        p.setColor(group, QPalette::Button, QColor(45, 45, 52));
        p.setColor(group, QPalette::ButtonText, kLightText);
        p.setColor(group, QPalette::Highlight, kHighlight);
        p.setColor(group, QPalette::HighlightedText, Qt::black);
        p.setColor(group, QPalette::ToolTipBase, kLightText);
        p.setColor(group, QPalette::ToolTipText, Qt::black);
        p.setColor(group, QPalette::PlaceholderText, QColor(190, 190, 190));
    }
    p.setColor(QPalette::Disabled, QPalette::Window, kDarkBackground);
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(150, 150, 150));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(150, 150, 150));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(150, 150, 150));
    p.setColor(QPalette::Disabled, QPalette::Button, QColor(45, 45, 52));
    p.setColor(QPalette::Disabled, QPalette::Base, QColor(30, 30, 36));
    return p;
}

QFont classroomFont(const QFont& base) {
    QFont font = base;
    font.setPointSizeF(kClassroomFontPointSize);
    return font;
}

}  // namespace attnscope::ui
