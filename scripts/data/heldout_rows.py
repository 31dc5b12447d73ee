"""Which rows of a data file `intent train` held out for a seed, as scripts/data/HeldOut.java lists them."""
import collections
import sys


def words(text):
    # HeldOut.java writes each text on one line with its whitespace collapsed.
    return " ".join(text.split())


def held_out(rows, heldout):
    """For each (text, intent) of rows, in order, whether it is one of the held-out rows."""
    wanted = collections.Counter(tuple(line.rstrip("\n").split("\t")) for line in open(heldout))
    flags = []
    for text, intent in rows:
        key = (words(text), intent)
        flags.append(wanted[key] > 0)
        if flags[-1]:
            wanted[key] -= 1
    missing = sum(wanted.values())
    if missing:
        sys.exit(f"{missing} held-out rows are not in the data: another seed or file?")
    return flags
