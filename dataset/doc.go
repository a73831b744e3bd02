// Package dataset lists the images of an MVTec AD category and splits them
// for training.
//
// The expected layout is
//
//	<root>/train/good/*.png                  defect-free training images
//	<root>/test/<kind>/*.png                 test images; kind "good" is normal,
//	                                         every other kind is defective
//	<root>/ground_truth/<kind>/NNN_mask.png  optional pixel masks, > 0 = defect
//
// Image files are recognised by their extension (.png, .jpg or .jpeg, in
// any letter case). Hidden files (names starting with a dot), folders and
// other files are skipped. Each folder with skipped entries produces one
// slog.Info line with their count, so a stray README does not flood the
// log. A missing or empty image folder is an error that names the folder
// and what belongs in it.
//
// Results are sorted by kind and then by file name, so listings and
// Split are reproducible across runs and machines.
package dataset
