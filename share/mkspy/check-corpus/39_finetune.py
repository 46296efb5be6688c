"""Distilling a prompted program into fine-tuned weights with BootstrapFinetune."""
import dspy

student_lm = dspy.LM("openai/gpt-4o-mini-2024-07-18")
teacher_lm = dspy.LM("openai/gpt-4o")


class Classify(dspy.Module):
    def __init__(self):
        super().__init__()
        self.classify = dspy.ChainOfThought("ticket -> category: str")

    def forward(self, ticket):
        return self.classify(ticket=ticket)


def category_match(example, pred, trace=None):
    return example.category == pred.category


if __name__ == "__main__":
    dspy.settings.experimental = True
    student = Classify()
    student.set_lm(student_lm)
    teacher = Classify()
    teacher.set_lm(teacher_lm)
    trainset = [dspy.Example(ticket="App crashes on login", category="bug").with_inputs("ticket")]
    optimizer = dspy.BootstrapFinetune(metric=category_match, num_threads=8)
    finetuned = optimizer.compile(student, teacher=teacher, trainset=trainset)
