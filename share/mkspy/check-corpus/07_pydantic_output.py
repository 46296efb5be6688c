"""Typed outputs: a Pydantic model as an OutputField."""
import dspy
from pydantic import BaseModel, Field


class Contact(BaseModel):
    name: str
    email: str | None = None
    phone: str | None = Field(default=None, description="digits only")


class ExtractContact(dspy.Signature):
    """Extract the sender's contact details from an email signature."""

    email_text: str = dspy.InputField()
    contact: Contact = dspy.OutputField()


class ContactExtractor(dspy.Module):
    def __init__(self):
        super().__init__()
        self.extract = dspy.Predict(ExtractContact)

    def forward(self, email_text: str):
        result = self.extract(email_text=email_text)
        return dspy.Prediction(contact=result.contact)
