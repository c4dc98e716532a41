#pragma once
// Classroom mode's look: readable from the back of a room on a projector. Large type, thick
// lines and light-on-dark colours (projectors wash out pale colours on white).
#include <QFont>
#include <QPalette>

#include "FigureStyle.h"

namespace attnscope::ui {

inline constexpr double kClassroomFontPointSize = 22.0;
inline constexpr double kClassroomLineWidth = 3.0;

// `base` with classroom type, lines and colours (colour map and scales are kept).
FigureStyle classroomFigureStyle(const FigureStyle& base);
// `classroom` with the normal type, lines and colours back (what classroomFigureStyle changed).
FigureStyle normalFigureStyle(const FigureStyle& classroom);
// A dark, high-contrast window palette.
QPalette classroomPalette();
QFont classroomFont(const QFont& base);

}  // namespace attnscope::ui
