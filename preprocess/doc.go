// Package preprocess turns image files and camera frames into model input
// tensors. Training, evaluation and the line-side loop all call
// Config.Tensor, so a model always receives inputs prepared the same way.
//
// Decode and DecodeFile read PNG and JPEG. They check the image size in the
// header before decoding (see MaxPixels), and damaged or truncated data
// returns an error that names the file.
//
// Config.Tensor runs these steps in order:
//
//  1. Crop to the region of interest (Config.ROI), if set.
//  2. Align the part with package pose (Config.Pose), if set.
//  3. Apply the channel and bit-depth rule below.
//  4. Resize to Width x Height with the "area" or "bilinear" filter.
//  5. Write channel-major (C x H x W) float32 values in [0, 1].
//
// # Channel and bit-depth rule
//
// Every sample is scaled by the full range of its bit depth: 8-bit values
// are divided by 255 and 16-bit values by 65535, so 16-bit images keep
// their precision (float32 represents every 16-bit level exactly).
//
// Alpha is ignored. Premultiplied colours (image.RGBA, image.RGBA64 and any
// colour read through At) are un-premultiplied first, so a half-transparent
// pixel reads as its opaque colour and a fully transparent one reads as
// black. Non-premultiplied images (image.NRGBA, image.NRGBA64, and palette
// entries of type color.NRGBA) use their stored colour whatever the alpha.
//
// A gray image becomes three channels by copying the gray value into R, G
// and B. A colour image becomes one channel through the ITU-R BT.601 luma
// 0.299 R + 0.587 G + 0.114 B, applied to the scaled gamma-encoded values.
// For image.YCbCr (JPEG) the Y sample is used directly, because JPEG
// defines Y with the same weights. It matches the luma of the decoded RGB
// pixel up to the rounding of that conversion.
//
// image.Gray, Gray16, RGBA, RGBA64, NRGBA, NRGBA64, Paletted and YCbCr are
// read from their pixel buffers. Other types go through At, which is
// slower but gives the same result.
//
// # Resizing
//
// The "area" filter (the default) averages the source pixels under each
// output pixel, weighted by the exact fraction of each source pixel that
// the output pixel covers. It preserves the mean and is the right choice
// for downscaling, for example 1024 to 224. The "bilinear" filter maps
// output pixel centres to source coordinates (i+0.5)*src/dst - 0.5, clamped
// at the borders, like align_corners=false in PyTorch. It suits upscaling,
// such as error maps back to the frame size. Both filters are separable,
// and ResizePlane exposes them for single float32 planes.
package preprocess
