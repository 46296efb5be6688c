import MkspyEvolve

EvolveTool.main(Array(CommandLine.arguments.dropFirst()))
