// Package train fits an autoencoder to good images and calibrates its
// decision threshold.
//
// train/good is split once, deterministically from the seed, into a
// training part and a held-out part (10% by default). The held-out images
// never train: after the last epoch they are scored and the threshold is
// set from their scores (see score.Calibrate), so the threshold reflects
// how the model treats good parts it has not seen.
//
// Every image is decoded and preprocessed once into memory. Each epoch
// shuffles the training images, and each mini-batch is augmented on the fly
// (see Augment) and passed to models.Net.TrainBatch, then Adam updates the
// weights. A NaN or infinite loss stops training before any model is
// written. Every CheckpointEvery epochs a calibrated checkpoint replaces the
// previous one atomically, so an interrupted run leaves the last completed
// checkpoint intact.
package train
