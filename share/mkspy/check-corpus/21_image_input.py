"""Multimodal input: describing an image with dspy.Image."""
import dspy


class DescribeImage(dspy.Signature):
    """Describe what the image shows in one paragraph."""

    image: dspy.Image = dspy.InputField()
    description: str = dspy.OutputField()


class Captioner(dspy.Module):
    def __init__(self):
        super().__init__()
        self.describe = dspy.Predict(DescribeImage)

    def forward(self, image_url: str):
        image = dspy.Image.from_url(image_url)
        return self.describe(image=image)
