use clap::Parser;

fn main() {
    let cli = brink::cli::Cli::parse();
    std::process::exit(brink::cli::run(cli));
}
