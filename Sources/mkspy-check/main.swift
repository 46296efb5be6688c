import MkspyCheck

CheckTool.main(Array(CommandLine.arguments.dropFirst()))
