/**
 * Writing files safely, beneath every stage that writes: a file is created exclusively, check-summed and forced to
 * disk under a temporary name ({@link life.io.FileOutput}), then published by an atomic rename, alone or with the
 * files that belong with it ({@link life.io.Commit}).
 */
package life.io;
