package dev.intentinference.core.text;

/**
 * One text as token ids, with special tokens added and truncation applied.
 *
 * @param ids token ids, {@code [CLS] ... [SEP]} for BERT vocabularies
 * @param typeIds segment ids, all 0 for a single text
 * @param truncated whether tokens were cut to fit the maximum length
 */
public record TokenizedText(long[] ids, long[] typeIds, boolean truncated) {
  public int length() {
    return ids.length;
  }
}
