/**
 * Hugging Face {@code tokenizer.json} tokenizers in plain Java, equal in output to Hugging Face's Rust library.
 *
 * <p>{@link dev.concord.model.tokenizer.Tokenizer} is the entry point. Behind it the file's components keep Hugging
 * Face's names and order: {@code AddedVocabulary} cuts added tokens out of the raw text, a {@code Normalizer}
 * rewrites the rest, a {@code PreTokenizer} splits it into words, {@code BpeModel} merges each word into ids, a
 * {@code PostProcessor} adds template tokens, and a {@code Decoder} turns ids back into text.
 * {@code TokenizerJsonReader} builds them from the file and reports what is wrong with it.
 */
package dev.concord.model.tokenizer;
