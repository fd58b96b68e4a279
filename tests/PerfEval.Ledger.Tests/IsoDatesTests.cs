using System.Globalization;
using PerfEval.Ledger.Domain;

namespace PerfEval.Ledger.Tests;

public class IsoDatesTests
{
    [Theory]
    [InlineData("2020-01-01", 2020, 1, 1)]
    [InlineData("2020-02-29", 2020, 2, 29)]
    [InlineData("2023-12-31", 2023, 12, 31)]
    [InlineData("0001-01-01", 1, 1, 1)]
    public void A_calendar_date_written_YYYY_MM_DD_is_read(string text, int year, int month, int day)
    {
        Assert.True(IsoDates.TryParse(text, out var date));
        Assert.Equal(new DateOnly(year, month, day), date);
    }

    [Theory]
    [InlineData("")]
    [InlineData("2020-1-01")]
    [InlineData("2020/01/01")]
    [InlineData("2020-01-1 ")]
    [InlineData("20200101")]
    [InlineData("2021-02-29")]
    [InlineData("2020-13-01")]
    [InlineData("2020-00-10")]
    [InlineData("2020-04-31")]
    [InlineData("0000-01-01")]
    [InlineData("２０２０-01-01")]
    [InlineData("2020-01-01T00:00")]
    public void Anything_else_is_refused(string text)
    {
        Assert.False(IsoDates.TryParse(text, out _));
        Assert.Throws<FormatException>(() => IsoDates.Parse(text));
    }

    [Fact]
    public void It_agrees_with_the_framework_parser_on_every_day_of_a_leap_and_a_common_year()
    {
        for (var day = new DateOnly(2019, 12, 25); day < new DateOnly(2021, 1, 5); day = day.AddDays(1))
        {
            var text = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            Assert.Equal(DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture), IsoDates.Parse(text));
        }
    }
}
