import MkspyScore

ScoreTool.main(Array(CommandLine.arguments.dropFirst()))
