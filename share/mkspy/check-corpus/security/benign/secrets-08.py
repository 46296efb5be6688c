# benign: prose about SSH keys
import dspy

qa = dspy.Predict("question -> answer")
QUESTION = "How do I add a key to ~/.ssh/authorized_keys on a server?"
