"""The vectorised n-gram TF-IDF agrees with a plain Python count of the same n-grams."""

from collections import Counter

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from civility.scoring._ngrams import HashedNgramVectorizer, _HashIndex


def _char_ngrams(text: str, n_min: int, n_max: int) -> Counter[str]:
    padded = f" {text} "
    return Counter(
        padded[i : i + n] for n in range(n_min, n_max + 1) for i in range(len(padded) - n + 1)
    )


def test_char_ngram_counts_match_a_direct_count() -> None:
    texts = ["abc abd", "zzz", "abc"]
    vectorizer = HashedNgramVectorizer("char", (1, 3), max_features=10_000, min_df=1).fit(texts)
    expected_vocabulary = set().union(*(_char_ngrams(t, 1, 3) for t in texts))
    assert len(vectorizer.vocabulary_) == len(expected_vocabulary)
    X = vectorizer.transform(texts)
    # Each row's non-zeros are exactly the distinct n-grams of that text.
    for row, text in enumerate(texts):
        assert X[row].nnz == len(_char_ngrams(text, 1, 3))


def test_word_tokens_hash_the_same_wherever_they_stand() -> None:
    vectorizer = HashedNgramVectorizer("word", (1, 1), max_features=100, min_df=1)
    vectorizer.fit(["alpha beta", "beta, alpha!"])
    # alpha, beta, ",", "!" : four distinct unigrams
    assert len(vectorizer.vocabulary_) == 4


def test_rows_are_unit_length_and_unknown_text_is_zero() -> None:
    vectorizer = HashedNgramVectorizer("char", (2, 4), max_features=1000, min_df=1)
    X = vectorizer.fit_transform(["hello world", "goodbye world"])
    np.testing.assert_allclose(np.asarray(X.multiply(X).sum(axis=1)).ravel(), 1.0, rtol=1e-5)
    assert vectorizer.transform(["ǂǂǂǂ"]).nnz == 0


def test_max_features_keeps_the_most_frequent() -> None:
    vectorizer = HashedNgramVectorizer("word", (1, 1), max_features=1, min_df=1)
    vectorizer.fit(["common rare", "common", "common other"])
    X = vectorizer.transform(["common", "rare"])
    assert X[0].nnz == 1 and X[1].nnz == 0


@given(
    st.sets(st.integers(min_value=0, max_value=2**64 - 1), max_size=300), st.integers(0, 2**64 - 1)
)
def test_hash_index_finds_every_key_and_nothing_else(keys: set[int], stranger: int) -> None:
    vocabulary = np.array(sorted(keys), dtype=np.uint64)
    index = _HashIndex(vocabulary)
    np.testing.assert_array_equal(index.lookup(vocabulary), np.arange(len(vocabulary)))
    expected = list(vocabulary).index(stranger) if stranger in keys else -1
    assert index.lookup(np.array([stranger], dtype=np.uint64))[0] == expected
