"""Control flow in forward: match on the route, try/except/finally around the call."""
import logging

import dspy

log = logging.getLogger(__name__)


class Router(dspy.Module):
    def __init__(self):
        super().__init__()
        self.route = dspy.Predict("request -> department: str")
        self.billing = dspy.ChainOfThought("request -> reply")
        self.support = dspy.ChainOfThought("request -> reply")

    def forward(self, request):
        department = self.route(request=request).department
        try:
            match department.lower():
                case "billing":
                    result = self.billing(request=request)
                case "support" | "technical":
                    result = self.support(request=request)
                case _:
                    return dspy.Prediction(reply="Please contact us by phone.", department=department)
        except ValueError as error:
            log.warning("routing failed: %s", error)
            raise
        finally:
            log.info("routed to %s", department)
        return dspy.Prediction(reply=result.reply, department=department)
