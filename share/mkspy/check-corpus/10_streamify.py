"""Streaming the answer field token by token with dspy.streamify."""
import asyncio

import dspy

dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))

predict = dspy.Predict("question -> answer")
stream_predict = dspy.streamify(
    predict,
    stream_listeners=[dspy.streaming.StreamListener(signature_field_name="answer")],
)


async def read_output_stream():
    output_stream = stream_predict(question="Why did a chicken cross the kitchen?")
    final = None
    async for chunk in output_stream:
        if isinstance(chunk, dspy.streaming.StreamResponse):
            print(chunk.chunk, end="")
        elif isinstance(chunk, dspy.Prediction):
            final = chunk
    return final


program_output = asyncio.run(read_output_stream())
print(program_output)
