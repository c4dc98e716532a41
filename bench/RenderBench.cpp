#include "RenderBench.h"

#include <QGuiApplication>
#include <QImage>
#include <QPainter>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <vector>

#include "FigureBuilder.h"
#include "tensor/AttentionStack.h"

namespace bench {
namespace {

using attnscope::AttentionStack;
using namespace attnscope::ui;

// Causal softmax rows with a few sharp peaks per row, like a trained model's maps: the
// drawing cost does not depend on the values, but max-pooling and colour runs do a little.
AttentionStack syntheticStack(const RenderShape& s) {
    AttentionStack stack;
    stack.resize(s.layers, s.heads, s.seq, s.seq);
    std::mt19937 rng(11);
    std::normal_distribution<float> noise(0.0f, 1.0f);
    std::vector<float> row(static_cast<std::size_t>(s.seq));
    for (int l = 0; l < s.layers; ++l)
        for (int h = 0; h < s.heads; ++h) {
            float* map = stack.map(l, h);
            for (int q = 0; q < s.seq; ++q) {
                float sum = 0.0f;
                for (int k = 0; k <= q; ++k) {
                    const float peak = (k == q - 1 - (h % 3)) || k == 0 ? 4.0f : 0.0f;
                    row[k] = std::exp(peak + noise(rng));
                    sum += row[k];
                }
                for (int k = 0; k < s.seq; ++k) map[static_cast<std::size_t>(q) * s.seq + k] = k <= q ? row[k] / sum : 0.0f;
            }
        }
    return stack;
}

double seconds(const std::function<void()>& work) {
    const auto t0 = std::chrono::steady_clock::now();
    work();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

int runRenderBench(const RenderShape& s) {
    int argc = 1;
    char name[] = "attnscope-bench";
    char* argv[] = {name, nullptr};
    qputenv("QT_QPA_PLATFORM", qgetenv("QT_QPA_PLATFORM").isEmpty() ? QByteArray("offscreen") : qgetenv("QT_QPA_PLATFORM"));
    QGuiApplication app(argc, argv);

    const AttentionStack stack = syntheticStack(s);
    FigureSource source;
    source.attentions = &stack;
    for (int i = 0; i < s.seq; ++i) source.tokenLabels << QStringLiteral("tok%1").arg(i);
    source.specialTokens.assign(static_cast<std::size_t>(s.seq), false);
    const FigureStyle style;

    // The window's backing store: a premultiplied ARGB image, cleared like a widget background.
    QImage screen(s.width, s.height, QImage::Format_ARGB32_Premultiplied);
    const QRectF area(0, 0, s.width, s.height);
    auto paint = [&](const Figure& figure) {
        screen.fill(Qt::white);
        QPainter p(&screen);
        p.setRenderHint(QPainter::Antialiasing);
        p.setRenderHint(QPainter::TextAntialiasing);
        figure.paint(p, area);
    };
    auto request = [&](ViewKind kind, int layer, int head) {
        ViewRequest r;
        r.kind = kind;
        r.query.layer = layer;
        r.query.head = head;
        return r;
    };

    std::printf("render seq=%d layers=%d heads=%d view=%dx%d\n", s.seq, s.layers, s.heads, s.width, s.height);
    std::unique_ptr<Figure> heatmap;
    const double first = seconds([&] {
        heatmap = buildFigure(source, request(ViewKind::Matrix, 0, 0), style);
        paint(*heatmap);
    });
    std::vector<double> switches, repaints, grids, gridBuilds, gridRepaints;
    for (int r = 0; r < s.repeats; ++r) {
        const int head = (r + 1) % s.heads;
        switches.push_back(seconds([&] {
            heatmap = buildFigure(source, request(ViewKind::Matrix, 0, head), style);
            paint(*heatmap);
        }));
        repaints.push_back(seconds([&] { paint(*heatmap); }));
    }
    for (int r = 0; r < std::max(3, s.repeats / 3); ++r) {
        std::unique_ptr<Figure> grid;
        const double build = seconds([&] { grid = buildFigure(source, request(ViewKind::Grid, r % s.layers, r % s.heads), style); });
        grids.push_back(build + seconds([&] { paint(*grid); }));
        gridBuilds.push_back(build);
        gridRepaints.push_back(seconds([&] { paint(*grid); }));
    }
    std::printf("heatmap_first_s=%.4f\n", first);
    std::printf("head_switch_s=%.4f\n", median(switches));
    std::printf("repaint_s=%.4f\n", median(repaints));
    std::printf("grid_s=%.4f\n", median(grids));
    std::printf("grid_build_s=%.4f\n", median(gridBuilds));
    std::printf("grid_repaint_s=%.4f\n", median(gridRepaints));
    std::printf("median_s=%.6f\n", median(switches));
    return 0;
}

}  // namespace bench
