import MkspySpec

SpecTool.main(Array(CommandLine.arguments.dropFirst()))
