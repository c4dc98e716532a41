#pragma once
#include <QFont>
#include <QImage>
#include <QPixmap>
#include <QStringList>
#include <QWidget>

#include <vector>

#include "ColorMap.h"

namespace attnscope::ui {

// Paints one matrix as a heatmap: rows (queries) labelled on the left, columns (keys)
// labelled along the top, and a colour bar on the right. Setters do the work (colouring,
// layout); paintEvent only draws what they cached.
class HeatmapView : public QWidget {
    Q_OBJECT
public:
    struct Cell {
        int row = -1;
        int column = -1;
        bool isValid() const { return row >= 0 && column >= 0; }
        friend bool operator==(const Cell&, const Cell&) = default;
    };

    explicit HeatmapView(QWidget* parent = nullptr);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

    int rows() const { return rows_; }
    int columns() const { return columns_; }
    float value(int row, int column) const;
    const QStringList& rowLabels() const { return rowLabels_; }
    const QStringList& columnLabels() const { return columnLabels_; }
    const QString& title() const { return title_; }
    const ColorMap& colorMap() const { return colorMap_; }
    float rangeMin() const { return rangeMin_; }
    float rangeMax() const { return rangeMax_; }
    // The colour a cell holding `value` is painted with.
    QColor colorOf(float value) const;

    Cell cellAt(const QPoint& pos) const;
    QRectF cellRect(int row, int column) const;
    QRectF gridRect() const { return layout_.grid; }
    QString toolTipFor(int row, int column) const;
    Cell hoveredCell() const { return hovered_; }
    // 1 when every token is labelled; n when only every n-th fits.
    int labelStride() const { return layout_.stride; }
    const QFont& labelFont() const { return layout_.labelFont; }

public slots:
    // values: row-major, rows x columns. A size mismatch clears the view.
    void setMatrix(int rows, int columns, std::vector<float> values);
    void setTokens(const QStringList& rowLabels, const QStringList& columnLabels);
    void setAxisTitles(const QString& rowTitle, const QString& columnTitle);
    // A heading above the map, e.g. which layer and head it shows.
    void setTitle(const QString& title);
    void setColorMap(const ColorMap& map);
    // A fixed colour scale (e.g. 0..1 to compare heads) instead of the default 0..max of the matrix.
    void setValueRange(float min, float max);
    void setAutoValueRange();
    void setPlaceholderText(const QString& text);
    void clear();

signals:
    // (-1, -1) when the pointer leaves the cells.
    void cellHovered(int row, int column);

protected:
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    struct Tick {
        double y;
        QString text;
    };
    struct Layout {
        QRectF grid;
        double cell = 0.0;
        int stride = 1;
        QFont labelFont;
        QFont titleFont;
        QFont tickFont;
        QFont headingFont;
        QRectF heading;
        double rowLabelWidth = 0.0;
        double columnLabelHeight = 0.0;
        QStringList rowTexts;     // labels elided to fit
        QStringList columnTexts;
        QRectF colorBar;
        std::vector<Tick> ticks;
    };

    double scalePosition(float value) const;  // 0 at rangeMin_, 1 at rangeMax_
    void updateRange();
    void recolor();
    void relayout();
    void rescaleImage();
    void setHovered(Cell cell);

    void paintRowLabels(QPainter& painter) const;
    void paintColumnLabels(QPainter& painter) const;
    void paintAxisTitles(QPainter& painter) const;
    void paintHeading(QPainter& painter) const;
    void paintColorBar(QPainter& painter) const;
    void paintHover(QPainter& painter) const;

    int rows_ = 0;
    int columns_ = 0;
    std::vector<float> values_;
    QStringList rowLabels_;
    QStringList columnLabels_;
    QString rowTitle_;
    QString columnTitle_;
    QString title_;
    QString placeholder_;
    ColorMap colorMap_ = ColorMap::viridis();
    bool autoRange_ = true;
    float rangeMin_ = 0.0f;
    float rangeMax_ = 1.0f;

    QImage cells_;        // one pixel per cell
    QPixmap scaledCells_; // cells_ at the grid's size, nearest-neighbour
    QImage colorStrip_;
    Layout layout_;
    Cell hovered_;
};

}  // namespace attnscope::ui
