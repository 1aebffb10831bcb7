from generator.commands.script import run

run()
