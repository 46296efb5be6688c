"""Tools for the react operations of the specs MkspyGenTests makes up."""


def find_note(topic: str) -> str:
    """Return the note filed under a topic."""
    return f"The note on {topic} says: nothing unusual."


def count_words(text: str) -> int:
    """Count the words in a text."""
    return len(text.split())


def Respond(question: str) -> str:  # noqa: N802 (named like an operation: NameCollisionTests)
    """Return a canned reply to a question."""
    return f"A reply to {question}."
