#pragma once

namespace attnscope::ui {

// The blank border, in pixels, every view leaves between its edge and the figure it paints, so
// that views placed side by side line up.
inline constexpr int kViewMargin = 6;

}  // namespace attnscope::ui
