/**
 * Merge choices that need a forward pass: DAREx-q's label-free rescale ({@link
 * dev.concord.lab.calibrate.DarexCalibration}, behind {@code concord merge --q auto}), chosen by running unlabeled
 * calibration prompts ({@link dev.concord.lab.calibrate.CalibrationPrompts}) through the base model plus in-memory
 * merges made by concord-merge's own method classes.
 */
package dev.concord.lab.calibrate;
