import MkspyServe

ServeTool.main(Array(CommandLine.arguments.dropFirst()))
