#pragma once
#include "vision/RgbImage.h"

namespace attnscope {

// Pillow's resampling filters, numbered as PIL.Image.Resampling numbers them.
enum class ResampleFilter { Nearest = 0, Lanczos = 1, Bilinear = 2, Bicubic = 3, Box = 4, Hamming = 5 };

// Resizes exactly as Pillow's Image.resize does for RGB images: a horizontal then a vertical
// pass of a separable filter whose support widens when downscaling (antialiasing), with
// fixed-point coefficients and rounding back to 8 bits after each pass; nearest samples
// the source pixel under each output pixel's centre. Reproducing this bit for bit is what
// makes pixel values equal the Python image processors'.
RgbImage resizeLikePillow(const RgbImage& image, int width, int height, ResampleFilter filter);

}  // namespace attnscope
