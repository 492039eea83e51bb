using Pipeline.Blocks.Enrich;

namespace Pipeline.Blocks.Tests.Enrich;

public sealed class FleetRegistryLoaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fleet-registry-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string WriteFile(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static void AssertRobot(FleetRegistry registry, string id, string name, string site, string model)
    {
        var robot = registry.Find(id);
        Assert.NotNull(robot);
        Assert.Equal((id, name, site, model), (robot.Id, robot.Name, robot.Site, robot.Model));
    }

    [Fact]
    public void LoadsCsvWithHeaderRow()
    {
        var registry = FleetRegistryLoader.FromCsv("robot_id,name,site,model\nr1,Arm One,site-a,ur5\nr2,Rover,site-b,husky\n", "fleet.csv");

        Assert.Equal(2, registry.Count);
        AssertRobot(registry, "r1", "Arm One", "site-a", "ur5");
        AssertRobot(registry, "r2", "Rover", "site-b", "husky");
    }

    [Fact]
    public void CsvColumnsMayComeInAnyOrder()
    {
        var registry = FleetRegistryLoader.FromCsv("Model,SITE,robot_id,Name\nur5,site-a,r1,Arm One\n", "fleet.csv");

        AssertRobot(registry, "r1", "Arm One", "site-a", "ur5");
    }

    [Fact]
    public void CsvQuotedCellsKeepCommasAndQuotes()
    {
        var registry = FleetRegistryLoader.FromCsv(
            "robot_id,name,site,model\n\"r,1\",\"Arm, left \"\"A\"\"\",\"Site \"\"North\"\"\",\"\"\n", "fleet.csv");

        AssertRobot(registry, "r,1", "Arm, left \"A\"", "Site \"North\"", "");
    }

    [Fact]
    public void CsvMissingColumnsAreEmpty()
    {
        var registry = FleetRegistryLoader.FromCsv("robot_id,site\nr1,site-a\nr2\n", "fleet.csv");

        AssertRobot(registry, "r1", "", "site-a", "");
        AssertRobot(registry, "r2", "", "", "");
    }

    [Fact]
    public void CsvSkipsBlankLinesAndReadsCrLf()
    {
        var registry = FleetRegistryLoader.FromCsv("robot_id,name,site,model\r\n\r\nr1, Arm One ,site-a,ur5\r\n\r\n", "fleet.csv");

        Assert.Equal(1, registry.Count);
        AssertRobot(registry, "r1", "Arm One", "site-a", "ur5");
    }

    [Fact]
    public void CsvWithoutRobotIdColumnThrowsFormatExceptionNamingIt()
    {
        var error = Assert.Throws<FormatException>(() => FleetRegistryLoader.FromCsv("id,name\nr1,x\n", "fleet.csv"));

        Assert.Contains("robot_id", error.Message, StringComparison.Ordinal);
        Assert.Contains("fleet.csv", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("   \nr1,a,b,c\n")]
    public void CsvWithoutHeaderThrowsFormatExceptionNamingIt(string csv)
    {
        var error = Assert.Throws<FormatException>(() => FleetRegistryLoader.FromCsv(csv, "fleet.csv"));

        Assert.Contains("header", error.Message, StringComparison.Ordinal);
        Assert.Contains("fleet.csv", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CsvRowWithEmptyRobotIdThrowsFormatExceptionNamingTheLine()
    {
        var error = Assert.Throws<FormatException>(() =>
            FleetRegistryLoader.FromCsv("robot_id,name\nr1,a\n,b\n", "fleet.csv"));

        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("robot_id", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CsvUnterminatedQuoteThrowsFormatException()
    {
        // Without the closing quote the rest of the row silently becomes the name.
        var error = Assert.Throws<FormatException>(() =>
            FleetRegistryLoader.FromCsv("robot_id,name,site,model\nr1,\"Arm One,site-a,ur5\n", "fleet.csv"));

        Assert.Contains("fleet.csv", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadsJsonArray()
    {
        var registry = FleetRegistryLoader.FromJson(
            """[{"robot_id":"r1","name":"Arm One","site":"site-a","model":"ur5"},{"robot_id":"r2","site":"site-b","extra":1}]""",
            "fleet.json");

        Assert.Equal(2, registry.Count);
        AssertRobot(registry, "r1", "Arm One", "site-a", "ur5");
        AssertRobot(registry, "r2", "", "site-b", "");
    }

    [Fact]
    public void JsonNonStringMetadataBecomesEmpty()
    {
        var registry = FleetRegistryLoader.FromJson("""[{"robot_id":"r1","name":7,"site":null,"model":{"m":1}}]""", "fleet.json");

        AssertRobot(registry, "r1", "", "", "");
    }

    [Theory]
    [InlineData("""{"robot_id":"r1"}""")]
    [InlineData("\"r1\"")]
    [InlineData("null")]
    public void JsonThatIsNotAnArrayThrowsFormatExceptionNamingIt(string json)
    {
        var error = Assert.Throws<FormatException>(() => FleetRegistryLoader.FromJson(json, "fleet.json"));

        Assert.Contains("array", error.Message, StringComparison.Ordinal);
        Assert.Contains("fleet.json", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""[{"robot_id":"r1"},{"name":"no id"}]""")]
    [InlineData("""[{"robot_id":"r1"},{"robot_id":2}]""")]
    [InlineData("""[{"robot_id":"r1"},{"robot_id":""}]""")]
    [InlineData("""[{"robot_id":"r1"},"r2"]""")]
    public void JsonEntryWithoutStringRobotIdThrowsFormatExceptionNamingTheEntry(string json)
    {
        var error = Assert.Throws<FormatException>(() => FleetRegistryLoader.FromJson(json, "fleet.json"));

        Assert.Contains("entry 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("robot_id", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[{\"robot_id\":\"r1\",}]")]
    [InlineData("[")]
    [InlineData("")]
    public void MalformedJsonThrowsFormatExceptionNamingTheFile(string json)
    {
        // Every other bad registry is a FormatException naming the file; a syntax error should be too.
        var error = Assert.Throws<FormatException>(() => FleetRegistryLoader.FromJson(json, "fleet.json"));

        Assert.Contains("fleet.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadReadsJsonByExtension()
    {
        var path = WriteFile("fleet.JSON", """  [{"robot_id":"r1","name":"A"}]""");

        AssertRobot(FleetRegistryLoader.Load(path), "r1", "A", "", "");
    }

    [Fact]
    public void LoadReadsJsonArrayWhateverTheExtension()
    {
        var path = WriteFile("fleet.txt", "\n [{\"robot_id\":\"r1\",\"site\":\"s\"}]");

        AssertRobot(FleetRegistryLoader.Load(path), "r1", "", "s", "");
    }

    [Fact]
    public void LoadReadsCsvOtherwise()
    {
        var path = WriteFile("fleet.csv", "\uFEFFrobot_id,name\nr1,A\n");

        AssertRobot(FleetRegistryLoader.Load(path), "r1", "A", "", "");
    }

    [Fact]
    public void LoadOfBadFileNamesThePath()
    {
        var path = WriteFile("broken.csv", "name,site\nx,y\n");

        var error = Assert.Throws<FormatException>(() => FleetRegistryLoader.Load(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }
}
