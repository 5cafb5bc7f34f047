import HardwayCLI

await HardwayCommand.execute()
