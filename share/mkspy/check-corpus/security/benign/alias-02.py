# benign: an optimizer's compile
import dspy


def optimize(program, metric, trainset):
    optimizer = dspy.BootstrapFewShot(metric=metric)
    return optimizer.compile(program, trainset=trainset)
