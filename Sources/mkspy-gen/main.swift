import MkspyGen

GenTool.main(Array(CommandLine.arguments.dropFirst()))
