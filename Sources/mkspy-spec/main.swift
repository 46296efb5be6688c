import MkspyCore

SpecTool.main(Array(CommandLine.arguments.dropFirst()))
