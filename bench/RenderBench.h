#pragma once

namespace bench {

struct RenderShape {
    int seq = 512;
    int layers = 12;
    int heads = 12;
    int repeats = 9;
    int width = 1100;   // the view's size in device pixels, as a maximised window shows it
    int height = 900;
};

// `attnscope-bench --render`: times drawing through the app's own figures (FigureBuilder and
// the Figure classes the views paint), offscreen, on a synthetic attention stack of that
// shape: a heatmap drawn for the first time, a head switch, a repaint (what hovering costs)
// and the whole layer x head grid. Prints one line per measure and median_s of a head switch.
int runRenderBench(const RenderShape& shape);

}  // namespace bench
