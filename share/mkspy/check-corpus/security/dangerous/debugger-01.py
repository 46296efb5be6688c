# expect: SEC012 (breakpoint())
def forward(question):
    breakpoint()
    return question
