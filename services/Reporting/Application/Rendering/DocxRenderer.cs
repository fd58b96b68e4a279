using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Markdig.Extensions.Tables;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using A = DocumentFormat.OpenXml.Drawing;
using DW = DocumentFormat.OpenXml.Drawing.Wordprocessing;
using PIC = DocumentFormat.OpenXml.Drawing.Pictures;
using MdTable = Markdig.Extensions.Tables.Table;
using MdTableRow = Markdig.Extensions.Tables.TableRow;
using MdTableCell = Markdig.Extensions.Tables.TableCell;
using PerfEval.Reporting.Domain;
using PerfEval.Reporting.Storage;

namespace PerfEval.Reporting.Application.Rendering;

/// <summary>
/// 绩效自评报告 as .docx, built from the same template output as the Markdown and HTML (so the
/// wording stays in one template): headings, paragraphs, lists, tables and the chart images.
/// A4, 宋体 body, 黑体 headings, as the seeds' reports are set.
/// </summary>
public static class DocxRenderer
{
    const long ChartWidthEmu = 5_760_000; // 16 cm
    const string BodyFont = "宋体";
    const string HeadingFont = "黑体";

    public static byte[] Render(ReportModel model, IReadOnlyList<Chart> charts, ReportTemplates templates)
    {
        var source = NarrativeReport.Source(model, charts, templates);
        var markdown = Markdig.Markdown.Parse(source, NarrativeReport.MarkdownPipeline);
        var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            document.PackageProperties.Title = $"{model.SubjectName}{model.FiscalYear}年度绩效自评报告";
            document.PackageProperties.Creator = model.ResponsibleUnit;
            document.PackageProperties.Created = model.ReportDate.ToDateTime(TimeOnly.MinValue);
            document.PackageProperties.Modified = model.ReportDate.ToDateTime(TimeOnly.MinValue);
            var main = document.AddMainDocumentPart();
            AddStyles(main);
            var body = new Body();
            var images = 0;
            foreach (var block in markdown)
                Append(body, block, main, charts, ref images);
            body.Append(new SectionProperties(
                new PageSize { Width = 11906, Height = 16838 },
                new PageMargin { Top = 1440, Bottom = 1440, Left = 1588, Right = 1588, Header = 851, Footer = 992, Gutter = 0 }));
            main.Document = new Document(body);
            main.Document.Save();
        }
        return DeterministicPackage.Normalize(stream.ToArray(), model.ReportDate);
    }

    static void Append(Body body, Block block, MainDocumentPart main, IReadOnlyList<Chart> charts, ref int images)
    {
        switch (block)
        {
            case HeadingBlock heading:
                var p = Paragraph(heading.Inline, main, charts, ref images, heading.Level == 1 ? 36 : heading.Level == 2 ? 30 : 28, bold: true, font: HeadingFont);
                if (heading.Level == 1)
                    p.ParagraphProperties!.Justification = new Justification { Val = JustificationValues.Center };
                p.ParagraphProperties!.SpacingBetweenLines = new SpacingBetweenLines { Before = heading.Level == 1 ? "240" : "200", After = "120" };
                // Outline levels let Word's navigation pane and a table of contents find the sections.
                p.ParagraphProperties.OutlineLevel = new OutlineLevel { Val = heading.Level - 1 };
                body.Append(p);
                break;
            case ParagraphBlock paragraph:
                var para = Paragraph(paragraph.Inline, main, charts, ref images, 24, bold: false, font: BodyFont);
                if (paragraph.Inline?.FirstChild is LinkInline { IsImage: true })
                    para.ParagraphProperties!.Justification = new Justification { Val = JustificationValues.Center };
                else
                    para.ParagraphProperties!.Indentation = new Indentation { FirstLineChars = 200 };
                body.Append(para);
                break;
            case ListBlock list:
                var number = 1;
                foreach (var item in list.OfType<ListItemBlock>())
                    foreach (var inner in item.OfType<ParagraphBlock>())
                    {
                        var li = Paragraph(inner.Inline, main, charts, ref images, 24, bold: false, font: BodyFont);
                        li.PrependChild(Run(list.IsOrdered ? $"{number++}. " : "· ", 24, false, BodyFont));
                        // PrependChild put the run before the properties; properties must come first.
                        var props = li.ParagraphProperties!;
                        props.Remove();
                        li.PrependChild(props);
                        props.Indentation = new Indentation { Left = "420", Hanging = "210" };
                        body.Append(li);
                    }
                break;
            case MdTable table:
                body.Append(Table(table));
                body.Append(new Paragraph());
                break;
        }
    }

    static Paragraph Paragraph(ContainerInline? inlines, MainDocumentPart main, IReadOnlyList<Chart> charts, ref int images,
        int halfPoints, bool bold, string font)
    {
        var paragraph = new Paragraph(new ParagraphProperties(new SpacingBetweenLines { Line = "360", LineRule = LineSpacingRuleValues.Auto, After = "60" }));
        if (inlines is null)
            return paragraph;
        foreach (var inline in inlines)
        {
            if (inline is LinkInline { IsImage: true } image && image.Url?.StartsWith("chart:", StringComparison.Ordinal) == true
                && charts.FirstOrDefault(c => c.Id == image.Url["chart:".Length..]) is { } chart)
            {
                images++;
                paragraph.Append(ImageRun(main, chart, images));
                paragraph.Append(new Run(new Break()));
                paragraph.Append(Run(chart.Caption, 21, false, BodyFont));
            }
            else
                paragraph.Append(Run(Text(inline), halfPoints, bold || inline is EmphasisInline { DelimiterCount: 2 }, font));
        }
        return paragraph;
    }

    static string Text(Inline inline) => inline switch
    {
        LiteralInline literal => literal.Content.ToString(),
        CodeInline code => code.Content,
        LineBreakInline => "\n",
        ContainerInline container => string.Concat(container.Select(Text)),
        _ => "",
    };

    static Run Run(string text, int halfPoints, bool bold, string font)
    {
        var properties = new RunProperties(new RunFonts { Ascii = font, HighAnsi = font, EastAsia = font });
        if (bold)
            properties.Append(new Bold());
        properties.Append(new FontSize { Val = halfPoints.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return new Run(properties, new Text(text) { Space = SpaceProcessingModeValues.Preserve });
    }

    static DocumentFormat.OpenXml.Wordprocessing.Table Table(MdTable source)
    {
        var border = new TableBorders(
            new TopBorder { Val = BorderValues.Single, Size = 4 }, new BottomBorder { Val = BorderValues.Single, Size = 4 },
            new LeftBorder { Val = BorderValues.Single, Size = 4 }, new RightBorder { Val = BorderValues.Single, Size = 4 },
            new InsideHorizontalBorder { Val = BorderValues.Single, Size = 4 }, new InsideVerticalBorder { Val = BorderValues.Single, Size = 4 });
        var rows = source.OfType<MdTableRow>()
            .Select(r => r.OfType<MdTableCell>().Select(c => string.Concat(c.OfType<ParagraphBlock>().Select(p => p.Inline is null ? "" : Text(p.Inline)))).ToList())
            .ToList();
        var widths = ColumnWidths(rows);
        var table = new DocumentFormat.OpenXml.Wordprocessing.Table(new TableProperties(
            border, new TableWidth { Width = TextWidthTwips.ToString(System.Globalization.CultureInfo.InvariantCulture), Type = TableWidthUnitValues.Dxa },
            new TableLayout { Type = TableLayoutValues.Fixed }));
        table.Append(new TableGrid(widths.Select(w => new GridColumn { Width = w.ToString(System.Globalization.CultureInfo.InvariantCulture) })));
        foreach (var row in source.OfType<MdTableRow>())
        {
            var tr = new DocumentFormat.OpenXml.Wordprocessing.TableRow();
            if (row.IsHeader)
                tr.Append(new TableRowProperties(new TableHeader()));
            foreach (var cell in row.OfType<MdTableCell>())
            {
                var text = string.Concat(cell.OfType<ParagraphBlock>().Select(p => p.Inline is null ? "" : Text(p.Inline)));
                var paragraph = new Paragraph(new ParagraphProperties(
                        new SpacingBetweenLines { After = "0", Line = "260", LineRule = LineSpacingRuleValues.Auto },
                        new Justification { Val = JustificationValues.Center }),
                    Run(text, 18, row.IsHeader, BodyFont));
                var properties = new TableCellProperties(new TableCellVerticalAlignment { Val = TableVerticalAlignmentValues.Center });
                if (row.IsHeader)
                    properties.Append(new Shading { Val = ShadingPatternValues.Clear, Fill = "F0F0F0", Color = "auto" });
                tr.Append(new DocumentFormat.OpenXml.Wordprocessing.TableCell(properties, paragraph));
            }
            table.Append(tr);
        }
        return table;
    }

    /// <summary>A4 width minus the margins, in twips.</summary>
    const int TextWidthTwips = 11906 - 2 * 1588;

    /// <summary>
    /// Fixed column widths that follow the text: each column gets a share of the page in proportion
    /// to its longest cell (a CJK character counting double), within bounds, so names get room and
    /// numbers stay narrow. Word and LibreOffice otherwise split the width evenly.
    /// </summary>
    static int[] ColumnWidths(IReadOnlyList<List<string>> rows)
    {
        var columns = rows.Count == 0 ? 0 : rows.Max(r => r.Count);
        var need = Enumerable.Range(0, columns)
            .Select(c => Math.Clamp(rows.Max(r => c < r.Count ? r[c].Sum(ch => ch > 0x2E80 ? 2.0 : 1.25) : 0), 8, 28) + 3) // + cell padding; 8 keeps "10.00" on one line
            .ToArray();
        var total = need.Sum();
        return need.Select(n => (int)(TextWidthTwips * n / total)).ToArray();
    }

    static Run ImageRun(MainDocumentPart main, Chart chart, int number)
    {
        var relationshipId = $"rIdChart{number}";
        var part = main.AddImagePart(ImagePartType.Png, relationshipId);
        using (var png = new MemoryStream(chart.Png))
            part.FeedData(png);
        var cx = ChartWidthEmu;
        var cy = ChartWidthEmu * Charts.Height / Charts.Width;
        var name = $"{chart.Id}.png";
        var inline = new DW.Inline(
            new DW.Extent { Cx = cx, Cy = cy },
            new DW.EffectExtent { LeftEdge = 0, TopEdge = 0, RightEdge = 0, BottomEdge = 0 },
            new DW.DocProperties { Id = (UInt32Value)(uint)number, Name = chart.Caption },
            new DW.NonVisualGraphicFrameDrawingProperties(new A.GraphicFrameLocks { NoChangeAspect = true }),
            new A.Graphic(new A.GraphicData(
                new PIC.Picture(
                    new PIC.NonVisualPictureProperties(
                        new PIC.NonVisualDrawingProperties { Id = 0U, Name = name },
                        new PIC.NonVisualPictureDrawingProperties()),
                    new PIC.BlipFill(new A.Blip { Embed = relationshipId }, new A.Stretch(new A.FillRectangle())),
                    new PIC.ShapeProperties(
                        new A.Transform2D(new A.Offset { X = 0, Y = 0 }, new A.Extents { Cx = cx, Cy = cy }),
                        new A.PresetGeometry(new A.AdjustValueList()) { Preset = A.ShapeTypeValues.Rectangle })))
            { Uri = "http://schemas.openxmlformats.org/drawingml/2006/picture" }))
        { DistanceFromTop = 0U, DistanceFromBottom = 0U, DistanceFromLeft = 0U, DistanceFromRight = 0U };
        return new Run(new Drawing(inline));
    }

    static void AddStyles(MainDocumentPart main)
    {
        var styles = main.AddNewPart<StyleDefinitionsPart>("rIdStyles");
        styles.Styles = new Styles(new DocDefaults(
            new RunPropertiesDefault(new RunPropertiesBaseStyle(
                new RunFonts { Ascii = BodyFont, HighAnsi = BodyFont, EastAsia = BodyFont, ComplexScript = BodyFont },
                new FontSize { Val = "24" }, new Languages { Val = "en-US", EastAsia = "zh-CN" })),
            new ParagraphPropertiesDefault(new ParagraphPropertiesBaseStyle(new SpacingBetweenLines { After = "0" }))));
        styles.Styles.Save();
    }
}
