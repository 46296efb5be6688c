public enum PythonSyntax {}
