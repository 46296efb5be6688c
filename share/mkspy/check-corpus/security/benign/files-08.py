# benign: str.replace and a dataframe rename
def clean(text, frame):
    frame = frame.rename(columns={"a": "b"})
    return text.replace("a", "b"), frame
